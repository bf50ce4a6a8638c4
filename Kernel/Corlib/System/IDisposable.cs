namespace System
{
    /// <safety>An interface; trusted code never calls a SIP's Dispose.</safety>
    public interface IDisposable
    {
        /// <safety>Abstract: whatever a SIP implements runs in the SIP.</safety>
        void Dispose();
    }
}

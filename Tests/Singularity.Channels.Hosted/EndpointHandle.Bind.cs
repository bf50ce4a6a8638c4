namespace Singularity.Channels
{
    // Hosted: binding a name goes to the in-process name table of ServiceListener.
    public readonly partial struct EndpointHandle
    {
        /// <summary>Connects to the service registered as <paramref name="name"/> (ServiceListener.TryRegister); false if none.</summary>
        public static bool TryBind(string name, out EndpointHandle handle) => ServiceListener.TryBind(name, out handle);
    }
}

namespace System.Runtime.InteropServices
{
    /// <summary>
    /// C# marks `where T : unmanaged` with modreq(UnmanagedType) and refuses the constraint
    /// without this type. Nothing here marshals; the values mirror .NET's for the common kinds.
    /// </summary>
    public enum UnmanagedType
    {
        Bool = 2, I1 = 3, U1 = 4, I2 = 5, U2 = 6, I4 = 7, U4 = 8, I8 = 9, U8 = 10, R4 = 11, R8 = 12,
    }
}

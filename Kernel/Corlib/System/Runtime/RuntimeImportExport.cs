namespace System.Runtime
{
    /// <summary>Binds an extern method to a native symbol (assembly in the kernel, or a RuntimeExport).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class RuntimeImportAttribute : Attribute
    {
        public RuntimeImportAttribute(string entry) { EntryPoint = entry; }
        public RuntimeImportAttribute(string dllName, string entry) { DllName = dllName; EntryPoint = entry; }
        public string DllName { get; }
        public string EntryPoint { get; }
    }

    /// <summary>Exports a static method under a fixed native symbol name.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class RuntimeExportAttribute : Attribute
    {
        public RuntimeExportAttribute(string entry) { EntryPoint = entry; }
        public string EntryPoint { get; }
    }
}

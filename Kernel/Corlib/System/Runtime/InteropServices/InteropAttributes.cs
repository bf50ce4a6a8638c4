namespace System.Runtime.InteropServices
{
    /// <safety>An enum of named constants; any value is harmless where it is used.</safety>
    /// <allmembers>A constant.</allmembers>
    public enum LayoutKind { Sequential = 0, Explicit = 2, Auto = 3 }

    /// <safety>An enum of named constants; any value is harmless where it is used.</safety>
    /// <allmembers>A constant.</allmembers>
    public enum CharSet { None = 1, Ansi = 2, Unicode = 3, Auto = 4 }

    /// <safety>An enum of named constants; any value is harmless where it is used.</safety>
    /// <allmembers>A constant.</allmembers>
    public enum CallingConvention { Winapi = 1, Cdecl = 2, StdCall = 3, ThisCall = 4, FastCall = 5 }

    /// <safety>An attribute ilc acts on (field layout); the verifier refuses explicit layout that overlaps references (SV0112) and checks the rest of a SIP's layout rules (docs/verifier.md).</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct)]
    public sealed class StructLayoutAttribute : Attribute
    {
        public StructLayoutAttribute(LayoutKind layoutKind) { Value = layoutKind; }
        public LayoutKind Value { get; }
        public int Pack;
        public int Size;
        public CharSet CharSet;
    }

    /// <safety>An attribute ilc acts on (field layout); see StructLayoutAttribute: explicit layout in SIP code is checked by the verifier (SV0112).</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class FieldOffsetAttribute : Attribute
    {
        public FieldOffsetAttribute(int offset) { Value = offset; }
        public int Value { get; }
    }

    /// <safety>An attribute ilc acts on (P/Invoke); the verifier refuses it in SIP code (SV0103, SV0105).</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class DllImportAttribute : Attribute
    {
        public DllImportAttribute(string dllName) { Value = dllName; }
        public string Value { get; }
        public string EntryPoint;
        public CallingConvention CallingConvention;
        public CharSet CharSet;
        public bool ExactSpelling;
        public bool SetLastError;
    }

    /// <safety>An attribute ilc acts on (native entry points); the verifier refuses it in SIP code (SV0105).</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class UnmanagedCallersOnlyAttribute : Attribute
    {
        public Type[] CallConvs;
        public string EntryPoint;
    }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class InAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class OutAttribute : Attribute { }

    /// <summary>ilc looks this type up by name; no type here implements it.</summary>
    public interface IDynamicInterfaceCastable
    {
        static RuntimeTypeHandle GetDynamicInterfaceImplementation(IDynamicInterfaceCastable instance, RuntimeTypeHandle interfaceType)
            => default;
    }
}

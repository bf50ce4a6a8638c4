// Attributes the C# compiler looks for by name.
namespace System.Runtime.CompilerServices
{
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Method | AttributeTargets.Field)]
    internal sealed class IntrinsicAttribute : Attribute { }

    // The compiler leaves `.locals init` off a method carrying it, so ilc does not zero its
    // non-reference locals first (trusted runtime only: internal; every such local is written
    // before it is read, which the method's review states).
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class SkipLocalsInitAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Class | AttributeTargets.Assembly)]
    public sealed class ExtensionAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.All, Inherited = true)]
    public sealed class CompilerGeneratedAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class IndexerNameAttribute : Attribute
    {
        public IndexerNameAttribute(string indexerName) { }
    }

    /// <safety>An attribute the compiler puts on fixed-size buffers, which are unsafe code the verifier refuses in SIPs (SV0101).</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class FixedBufferAttribute : Attribute
    {
        public FixedBufferAttribute(Type elementType, int length) { }
    }

    /// <safety>An attribute ilc acts on (a struct repeating its field); C# reaches the elements only through MemoryMarshal.CreateSpan and Unsafe, which the core library does not offer to SIPs (a span over an inline array would point into a stack frame), so SIP code can only copy such structs.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Struct)]
    public sealed class InlineArrayAttribute : Attribute
    {
        public InlineArrayAttribute(int length) { Length = length; }
        public int Length { get; }
    }

    /// <safety>An attribute the compiler puts on ref structs; the verifier re-checks in a SIP's IL that a ref struct never reaches the GC heap (SV0115), that a SIP declares no ref field (SV0113) and that byrefs to a frame never escape (SV0212).</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Struct)]
    public sealed class IsByRefLikeAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.All)]
    public sealed class IsReadOnlyAttribute : Attribute { }

    /// <safety>A marker type the compiler names in signatures (init accessors); it has no members.</safety>
    public static class IsExternalInit { }

    /// <safety>A marker type the compiler names in signatures (volatile fields); it has no members.</safety>
    public static class IsVolatile { }

    /// <safety>An attribute ilc acts on; the verifier refuses a SIP method implemented outside IL (InternalCall, native: SV0104). Inlining hints are harmless.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor)]
    public sealed class MethodImplAttribute : Attribute
    {
        public MethodImplAttribute(MethodImplOptions methodImplOptions) { Value = methodImplOptions; }
        public MethodImplAttribute(short value) { Value = (MethodImplOptions)value; }
        public MethodImplOptions Value { get; }
    }

    /// <safety>An enum of named constants; any value is harmless where it is used.</safety>
    /// <allmembers>A constant.</allmembers>
    [Flags]
    public enum MethodImplOptions
    {
        Unmanaged = 0x0004,
        NoInlining = 0x0008,
        ForwardRef = 0x0010,
        Synchronized = 0x0020,
        NoOptimization = 0x0040,
        PreserveSig = 0x0080,
        AggressiveInlining = 0x0100,
        AggressiveOptimization = 0x0200,
        InternalCall = 0x1000,
    }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class CallerMemberNameAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class CallerFilePathAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class CallerLineNumberAttribute : Attribute { }

    /// <safety>An attribute: a SIP may open its own internals to another assembly; the trusted assemblies' own list (Kernel, Runtime) names assemblies a SIP may not be called (SV0114).</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class InternalsVisibleToAttribute : Attribute
    {
        public InternalsVisibleToAttribute(string assemblyName) { }
    }

    /// <safety>An attribute the compiler emits; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Assembly)]
    public sealed class RuntimeCompatibilityAttribute : Attribute
    {
        public bool WrapNonExceptionThrows { get; set; }
    }

    /// <summary>Language features this core library supports (the C# compiler checks these names).</summary>
    /// <safety>Constants the C# compiler checks to enable language features.</safety>
    /// <allmembers>A string constant.</allmembers>
    public static class RuntimeFeature
    {
        public const string PortablePdb = nameof(PortablePdb);
        public const string DefaultImplementationsOfInterfaces = nameof(DefaultImplementationsOfInterfaces);
        public const string UnmanagedSignatureCallingConvention = nameof(UnmanagedSignatureCallingConvention);
        public const string CovariantReturnsOfClasses = nameof(CovariantReturnsOfClasses);
        public const string VirtualStaticsInInterfaces = nameof(VirtualStaticsInInterfaces);
        public const string NumericIntPtr = nameof(NumericIntPtr);
        public const string ByRefFields = nameof(ByRefFields);
    }
}

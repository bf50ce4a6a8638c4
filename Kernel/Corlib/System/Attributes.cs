namespace System
{
    /// <safety>The base of attributes: no state, no behaviour.</safety>
    /// <allmembers>The protected constructor of an empty class.</allmembers>
    public abstract class Attribute
    {
    }

    /// <safety>An enum of named constants; any value is harmless where it is used.</safety>
    /// <allmembers>A constant.</allmembers>
    [Flags]
    public enum AttributeTargets
    {
        Assembly = 0x0001, Module = 0x0002, Class = 0x0004, Struct = 0x0008, Enum = 0x0010,
        Constructor = 0x0020, Method = 0x0040, Property = 0x0080, Field = 0x0100, Event = 0x0200,
        Interface = 0x0400, Parameter = 0x0800, Delegate = 0x1000, ReturnValue = 0x2000,
        GenericParameter = 0x4000, All = 0x7FFF,
    }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Class, Inherited = true)]
    public sealed class AttributeUsageAttribute : Attribute
    {
        public AttributeUsageAttribute(AttributeTargets validOn) { ValidOn = validOn; }
        public AttributeTargets ValidOn { get; }
        public bool AllowMultiple { get; set; }
        public bool Inherited { get; set; }
    }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Enum)]
    public sealed class FlagsAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class ParamArrayAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.All)]
    public sealed class ObsoleteAttribute : Attribute
    {
        public ObsoleteAttribute() { }
        public ObsoleteAttribute(string message) { }
        public ObsoleteAttribute(string message, bool error) { }
    }

    /// <safety>An attribute ilc acts on (thread-local storage); a SIP cannot use it: a static field is refused by the verifier whatever its attributes (SV0106).</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class ThreadStaticAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Enum | AttributeTargets.Delegate)]
    public sealed class SerializableAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.All)]
    public sealed class CLSCompliantAttribute : Attribute
    {
        public CLSCompliantAttribute(bool isCompliant) { }
    }
}

namespace System.Reflection
{
    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface)]
    public sealed class DefaultMemberAttribute : Attribute
    {
        public DefaultMemberAttribute(string memberName) { MemberName = memberName; }
        public string MemberName { get; }
    }
}

namespace System.Diagnostics
{
    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
    public sealed class ConditionalAttribute : Attribute
    {
        public ConditionalAttribute(string conditionString) { }
    }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Method | AttributeTargets.Constructor)]
    public sealed class DebuggerHiddenAttribute : Attribute { }

    /// <safety>An attribute: metadata the compiler, the verifier or the manifest reads; the runtime never acts on it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Property)]
    public sealed class DebuggerStepThroughAttribute : Attribute { }
}

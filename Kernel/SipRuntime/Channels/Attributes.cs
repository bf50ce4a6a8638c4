// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
using System;

// The contract notation's attributes. The generator and the analyzer match them by full
// metadata name, so the hosted runtime declares the same names in the same namespace.
namespace Singularity.Channels
{
    /// <summary>Marks a partial interface as a channel contract; Protocol is its state machine.</summary>
    /// <safety>An attribute for the contract generator, the analyzer and the verifier; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Interface)]
    public sealed class ContractAttribute : Attribute
    {
        public string Protocol { get; set; }
    }

    /// <summary>A message from the importer (Imp) to the exporter (Exp).</summary>
    /// <safety>An attribute for the contract generator, the analyzer and the verifier; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class InAttribute : Attribute { }

    /// <summary>A message from the exporter (Exp) to the importer (Imp).</summary>
    /// <safety>An attribute for the contract generator, the analyzer and the verifier; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class OutAttribute : Attribute { }

    /// <summary>Values of this type are linear: exactly one owner at a time.</summary>
    /// <safety>An attribute for the contract generator, the analyzer and the verifier; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = true)]
    public sealed class TrackedAttribute : Attribute { }

    /// <summary>The callee takes ownership of the tracked argument (on a method: of <c>this</c>).</summary>
    /// <safety>An attribute for the contract generator, the analyzer and the verifier; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Method)]
    public sealed class ClaimsAttribute : Attribute { }

    /// <summary>The protocol state of an endpoint-typed parameter, field or return value.</summary>
    /// <safety>An attribute for the contract generator, the analyzer and the verifier; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Field | AttributeTargets.ReturnValue | AttributeTargets.Property)]
    public sealed class StateAttribute : Attribute
    {
        public StateAttribute(string name) { Name = name; }
        public string Name { get; }
    }

    /// <summary>
    /// Emitted by the generator on every endpoint class: the protocol as seen from that side.
    /// Transitions are "From:!Msg:To" (this side sends) or "From:?Msg:To" (this side receives).
    /// </summary>
    /// <safety>An attribute for the contract generator, the analyzer and the verifier; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class EndpointProtocolAttribute : Attribute
    {
        public string Initial { get; set; }
        public string[] Transitions { get; set; }
        public string[] Closable { get; set; }
    }
}

// The tracked-type model, written once and compiled into both checkers: the IL verifier
// (Verifier/Verifier, net10.0, over Mono.Cecil) and the Roslyn analyzer (Compiler/Analyzers,
// netstandard2.0). Each checker sees types through its own ITypeView; the names, the kinds and
// the classification below are the same for both. Tests/Analyzer.Tests/TrackedModelAgreementTests
// fails if the two checkers disagree on what is tracked.
//
// This file must compile as C# for netstandard2.0 with neither Cecil nor Roslyn: names only.
using System;

namespace Singularity.Ownership
{
    /// <summary>What ownership rules a type's values follow.</summary>
    internal enum TrackedKind
    {
        /// <summary>An ordinary value: no ownership rules.</summary>
        None = 0,
        /// <summary>Used once and never lost: an exchange-heap block or an endpoint must be freed, sent, closed or stored in a TRef (a drop is a leak).</summary>
        Linear = 1,
        /// <summary>Used once but may be dropped: a channel handle, or a received message (its arguments are taken once).</summary>
        Affine = 2,
    }

    /// <summary>
    /// How a checker shows a type to the model: the few questions the classification asks. The
    /// verifier answers them over Cecil (resolved definitions), the analyzer over Roslyn symbols.
    /// </summary>
    internal interface ITypeView<T> where T : class
    {
        /// <summary>The type whose base chain is walked (the verifier resolves a reference to its definition; null if none).</summary>
        T Definition(T type);
        /// <summary>The base class, or null.</summary>
        T BaseType(T type);
        /// <summary>The enclosing type of a nested type, or null.</summary>
        T DeclaringType(T type);
        /// <summary>The type's simple name ("Message"; a generic type's name without its arity in the analyzer, with it in Cecil).</summary>
        string Name(T type);
        bool IsValueType(T type);
        /// <summary>Is the type the top-level type <paramref name="metadataName"/> (e.g. "ExArray`1") of namespace Singularity.Channels?</summary>
        bool IsChannelsType(T type, string metadataName);
        /// <summary>Does the type (its definition) carry the attribute Singularity.Channels.<paramref name="attribute"/>?</summary>
        bool HasChannelsAttribute(T type, string attribute);
    }

    /// <summary>
    /// Which types are tracked, of what kind, and the names of the runtime API whose calls move
    /// ownership. Matched by full metadata name in namespace Singularity.Channels, so the kernel's
    /// SIP runtime, the hosted runtime and test stand-ins are all recognised.
    /// </summary>
    internal static class TrackedTypes
    {
        public const string Namespace = "Singularity.Channels";

        // ----- attributes (Singularity.Channels.*) -----------------------------------------------
        /// <summary>On a class or struct: its values are linear (as are those of every class derived from it).</summary>
        public const string TrackedAttribute = "TrackedAttribute";
        /// <summary>On a parameter: the callee takes ownership of the argument. On a method: of its receiver.</summary>
        public const string ClaimsAttribute = "ClaimsAttribute";
        /// <summary>On a parameter, field or return value: the protocol state an endpoint must be in.</summary>
        public const string StateAttribute = "StateAttribute";
        /// <summary>On a generated endpoint class: its protocol (states and transitions).</summary>
        public const string EndpointProtocolAttribute = "EndpointProtocolAttribute";
        /// <summary>On a contract interface.</summary>
        public const string ContractAttribute = "ContractAttribute";

        // ----- built-in types (Singularity.Channels.*, metadata names) -------------------------
        /// <summary>An exchange-heap block (linear).</summary>
        public const string ExBuffer = "ExBuffer";
        /// <summary>A typed exchange-heap array (linear).</summary>
        public const string ExArray = "ExArray`1";
        /// <summary>One end of a channel; every generated endpoint derives from it (linear).</summary>
        public const string Endpoint = "Endpoint";
        /// <summary>One channel handle, wrapped in one endpoint or put in one message (affine).</summary>
        public const string EndpointHandle = "EndpointHandle";
        /// <summary>The one place in the GC heap that may hold a tracked value (not tracked itself).</summary>
        public const string TRef = "TRef`1";
        /// <summary>The raw message a generated endpoint builds: its Put methods take what they are given.</summary>
        public const string MessageFrame = "MessageFrame";
        /// <summary>A generated endpoint's nested struct for a received message (affine).</summary>
        public const string NestedMessage = "Message";

        /// <summary>The built-in linear types: these and every class derived from one are tracked.</summary>
        public static readonly string[] LinearTypes = { ExBuffer, ExArray, Endpoint };

        // ----- what a tracked value may do: the methods that move ownership ---------------------
        /// <summary>Methods (no parameters) that end the ownership of their tracked receiver: an exchange block is freed, an endpoint closed.</summary>
        public const string Free = "Free", Close = "Close";
        /// <summary>IDisposable.Dispose (a <c>using</c>'s end): Free or Close under another name, also when called through the interface.</summary>
        public const string Dispose = "Dispose";
        /// <summary>The interface a <c>using</c> calls Dispose through.</summary>
        public const string DisposableInterface = "System.IDisposable";
        /// <summary>An endpoint's channel handle leaves it (to go into a message): ends the endpoint.</summary>
        public const string DetachHandle = "DetachHandle";
        /// <summary>Prefix of a message's TakeX: hands the message's arguments over (a message is taken once).</summary>
        public const string TakePrefix = "Take";
        /// <summary>A generated endpoint's FromHandle (and any endpoint constructor) wraps the handle it is given.</summary>
        public const string FromHandle = "FromHandle";
        /// <summary>TRef's Release hands its value out; its constructor takes the value it is given.</summary>
        public const string Release = "Release";
        /// <summary>Endpoint.ProtocolViolation never returns (it closes the endpoint and throws).</summary>
        public const string ProtocolViolation = "ProtocolViolation";

        /// <summary>Free, Close or Dispose: the release methods of a tracked receiver.</summary>
        public static bool IsRelease(string method) => method == Free || method == Close || method == Dispose;

        /// <summary>
        /// Does calling the instance method <paramref name="method"/> on a tracked receiver of kind
        /// <paramref name="receiver"/> end the receiver's ownership (Free, Close, DetachHandle, and
        /// a message's TakeX)? [Claims] on the method says so for any other name.
        /// </summary>
        public static bool EndsReceiver(string method, TrackedKind receiver)
        {
            if (receiver == TrackedKind.None) return false;
            if (receiver == TrackedKind.Affine && method.StartsWith(TakePrefix, StringComparison.Ordinal)) return true;
            return IsRelease(method) || method == DetachHandle;
        }

        // ----- classification ------------------------------------------------------------------
        private const int MaxBaseChain = 200;   // a guard: a corrupt assembly's base chain may be cyclic

        /// <summary>
        /// The kind of <paramref name="type"/> (already known to be a named class or struct: type
        /// parameters, arrays, pointers, byrefs and primitives are never tracked, and each checker
        /// says so before asking).
        /// </summary>
        public static TrackedKind KindOf<T>(T type, ITypeView<T> view) where T : class
        {
            if (IsAffine(type, view)) return TrackedKind.Affine;
            int guard = 0;
            for (var c = view.Definition(type); c != null && guard++ < MaxBaseChain; c = view.BaseType(c))
            {
                if (view.HasChannelsAttribute(c, TrackedAttribute)) return TrackedKind.Linear;
                foreach (var name in LinearTypes)
                    if (view.IsChannelsType(c, name)) return TrackedKind.Linear;
            }
            return TrackedKind.None;
        }

        /// <summary>EndpointHandle, or a value type named Message nested in an endpoint.</summary>
        public static bool IsAffine<T>(T type, ITypeView<T> view) where T : class
        {
            if (view.IsChannelsType(type, EndpointHandle)) return true;
            if (view.Name(type) != NestedMessage) return false;
            var outer = view.DeclaringType(type);
            return outer != null && view.IsValueType(type) && IsEndpoint(outer, view);
        }

        /// <summary>Singularity.Channels.Endpoint or a class derived from it.</summary>
        public static bool IsEndpoint<T>(T type, ITypeView<T> view) where T : class
        {
            int guard = 0;
            for (var c = view.Definition(type); c != null && guard++ < MaxBaseChain; c = view.BaseType(c))
                if (view.IsChannelsType(c, Endpoint)) return true;
            return false;
        }
    }
}

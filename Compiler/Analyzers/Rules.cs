using Microsoft.CodeAnalysis;

namespace Singularity.Analyzers
{
    /// <summary>The SING diagnostics. Every rule is an error in SIP code; SING0000 reports an analyzer failure.</summary>
    public static class Rules
    {
        const string Ownership = "Singularity.Ownership";
        const string Protocol = "Singularity.Protocol";
        const string Safety = "Singularity.Safety";

        static DiagnosticDescriptor Make(string id, string title, string message, string category,
            DiagnosticSeverity severity = DiagnosticSeverity.Error)
            => new DiagnosticDescriptor(id, title, message, category, severity, isEnabledByDefault: true,
                description: null, helpLinkUri: HelpBase.Uri + id + ".md");

        public static readonly DiagnosticDescriptor InternalError = Make("SING0000",
            "The Singularity analyzer failed",
            "The Singularity analyzer failed on '{0}' and skipped it: {1}", "Singularity.Internal",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor UseAfterTransfer = Make("SING0001",
            "Tracked value used after its ownership was transferred",
            "'{0}' is used after its ownership was transferred{1}", Ownership);

        public static readonly DiagnosticDescriptor DoubleTransfer = Make("SING0002",
            "Tracked value transferred twice",
            "'{0}' is transferred, freed or closed again after its ownership was already transferred{1}", Ownership);

        public static readonly DiagnosticDescriptor Leak = Make("SING0003",
            "Tracked value leaked",
            "'{0}' leaks: {1}", Ownership);

        public static readonly DiagnosticDescriptor TransferOfBorrowed = Make("SING0012",
            "Borrowed value given away",
            "'{0}' is borrowed ({1}), so this method may read it but not {2} it; add [Claims] to the parameter if the caller hands it over", Ownership);

        public static readonly DiagnosticDescriptor StoredInHeap = Make("SING0004",
            "Tracked value stored in a GC object or a static",
            "Tracked value {0} is stored in {1}; keep it in a local, or in a TRef<T>", Ownership);

        public static readonly DiagnosticDescriptor Captured = Make("SING0005",
            "Tracked value captured or used in an iterator or async method",
            "Tracked value '{0}' is {1}", Ownership);

        public static readonly DiagnosticDescriptor ProtocolViolation = Make("SING0006",
            "Operation not allowed by the channel protocol",
            "{0}", Protocol);

        public static readonly DiagnosticDescriptor IncompleteReceive = Make("SING0007",
            "Switch receive does not handle every message",
            "switch over '{0}.Receive' ({1}, state {2}) does not handle {3} and has no default", Protocol);

        public static readonly DiagnosticDescriptor UnsafeCode = Make("SING0008",
            "Unsafe code in a SIP",
            "Unsafe code is not allowed in a SIP: {0}", Safety);

        public static readonly DiagnosticDescriptor MutableStatic = Make("SING0009",
            "Mutable static field in a SIP",
            "Static {0} '{1}' is mutable{2}; SIP code may only have const fields and static readonly fields of immutable types", Safety);

        public static readonly DiagnosticDescriptor ReflectionOrInterop = Make("SING0010",
            "Reflection or interop in a SIP",
            "{0} is not allowed in a SIP", Safety);

        public static readonly DiagnosticDescriptor MissingState = Make("SING0013",
            "Endpoint parameter without [State]",
            "Endpoint parameter '{0}' ({1}) has no [State], so its protocol is not checked in '{2}' and callers are not checked against it; add [State(\"{3}\")] (the state its first use '{4}' needs)", Protocol);

        public static readonly DiagnosticDescriptor ExplicitLayout = Make("SING0011",
            "Explicit layout that overlaps a reference or another assembly's type",
            "Explicit layout of '{0}': {1}", Safety);
    }
}

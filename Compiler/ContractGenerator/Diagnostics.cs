using Microsoft.CodeAnalysis;

namespace Singularity.ContractGenerator
{
    /// <summary>The generator's diagnostics. Each ID has a page in docs/diagnostics/.</summary>
    internal static class Diagnostics
    {
        private const string Category = "Singularity.Contracts";
        private const string HelpBase = Singularity.ContractGenerator.HelpBase.Uri;

        private static DiagnosticDescriptor Make(string id, string title, string format, DiagnosticSeverity severity) =>
            new DiagnosticDescriptor(id, title, format, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");

        public static readonly DiagnosticDescriptor ProtocolSyntax = Make("SINGC001",
            "Protocol syntax error", "Contract '{0}': protocol syntax error: {1}", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor UnknownMessage = Make("SINGC002",
            "Unknown message in protocol", "Contract '{0}': the protocol names message '{1}', which the interface does not declare as an [In] or [Out] method", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor WrongDirection = Make("SINGC003",
            "Message used in the wrong direction", "Contract '{0}': '{1}{2}' is wrong: {1} is an [{3}] message, so the exporter {4} it; write '{1}{5}'", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor UnreachableState = Make("SINGC004",
            "Unreachable state", "Contract '{0}': state '{1}' cannot be reached from the initial state '{2}'", DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor NotExchangeable = Make("SINGC005",
            "Argument type cannot cross a channel", "Contract '{0}': parameter '{1}' of message '{2}' has type '{3}', which cannot cross a channel (allowed: primitives, enums, unmanaged structs, ExBuffer, ExArray<T>, Imp/Exp of a contract)", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor AmbiguousChoice = Make("SINGC006",
            "Ambiguous choice", "Contract '{0}': ambiguous choice in state '{1}': {2}", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor UnusedMessage = Make("SINGC007",
            "Message never used", "Contract '{0}': message '{1}' is declared but the protocol never uses it", DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor MessageTooLarge = Make("SINGC008",
            "Message too large", "Contract '{0}': message '{1}' carries {2}, but a message holds at most {3}", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor BadContractShape = Make("SINGC009",
            "Invalid contract declaration", "Contract '{0}': {1}", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor UnknownState = Make("SINGC010",
            "Unknown or duplicate state", "Contract '{0}': {1}", DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor InternalError = Make("SINGC099",
            "Contract generator internal error", "Contract '{0}': the contract generator failed ({1}); please report this with the contract's source", DiagnosticSeverity.Error);

        public static DiagnosticDescriptor ById(string id)
        {
            switch (id)
            {
                case "SINGC001": return ProtocolSyntax;
                case "SINGC002": return UnknownMessage;
                case "SINGC003": return WrongDirection;
                case "SINGC004": return UnreachableState;
                case "SINGC005": return NotExchangeable;
                case "SINGC006": return AmbiguousChoice;
                case "SINGC007": return UnusedMessage;
                case "SINGC008": return MessageTooLarge;
                case "SINGC009": return BadContractShape;
                case "SINGC010": return UnknownState;
                default: return InternalError;
            }
        }
    }
}

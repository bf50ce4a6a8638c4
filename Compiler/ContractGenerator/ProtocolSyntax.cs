using System.Collections.Generic;

// The parsed protocol notation, before states are numbered. Positions are offsets into the
// protocol string, so diagnostics can point inside the string literal.
namespace Singularity.ContractGenerator
{
    internal sealed class ProtocolError
    {
        public ProtocolError(int position, int length, string message) { Position = position; Length = length; Message = message; }
        public int Position { get; }
        public int Length { get; }
        public string Message { get; }
    }

    /// <summary>`[closable] state Name: body;`</summary>
    internal sealed class StateDecl
    {
        public StateDecl(string name, int position, bool closable) { Name = name; Position = position; Closable = closable; }
        public string Name { get; }
        public int Position { get; }
        public bool Closable { get; set; }
        /// <summary>The alternatives the state offers (one, or several for `one { ... }`); empty for `close`.</summary>
        public List<Branch> Branches { get; } = new List<Branch>();
    }

    /// <summary>A path `step -> step -> Target`. Target null with TargetIsClose means `-> close`.</summary>
    internal sealed class Branch
    {
        public List<Step> Steps { get; } = new List<Step>();
        public string? Target { get; set; }
        public int TargetPosition { get; set; }
        public bool TargetIsClose { get; set; }
    }

    internal abstract class Step
    {
        protected Step(int position) { Position = position; }
        public int Position { get; }
    }

    /// <summary>`Msg?` (the exporter receives) or `Msg!` (the exporter sends).</summary>
    internal sealed class ActionStep : Step
    {
        public ActionStep(string message, bool exporterReceives, int position) : base(position) { Message = message; ExporterReceives = exporterReceives; }
        public string Message { get; }
        public bool ExporterReceives { get; }
        public int Length => Message.Length + 1;
    }

    /// <summary>`(a | b -> c)`: alternatives that meet again at the next step.</summary>
    internal sealed class ChoiceStep : Step
    {
        public ChoiceStep(int position) : base(position) { }
        public List<List<Step>> Alternatives { get; } = new List<List<Step>>();
    }
}

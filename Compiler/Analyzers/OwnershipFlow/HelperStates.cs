using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Singularity.Ownership;

namespace Singularity.Analyzers
{
    /// <summary>
    /// SING0013: an endpoint parameter that the function sends, receives or closes on must say the
    /// state it arrives in ([State]). Without it the parameter starts in an unknown state, where
    /// nothing can be checked, and callers are not checked either: a helper that replies before it
    /// receives passed. The diagnostic names the states the first use allows (the code fix adds one).
    /// </summary>
    internal sealed partial class OwnershipFlow
    {
        void CheckParameterStates()
        {
            foreach (var p in function.Parameters)
            {
                if (p.RefKind == RefKind.Out || !index.TryGetValue(p, out int v)) continue;
                var proto = vars[v].Protocol;
                if (proto == null || ChannelModel.StateOf(p.GetAttributes()) != null) continue;
                var first = FirstProtocolUse(v);
                if (first == null) continue;
                var states = StatesAllowing(proto, first.TargetMethod.Name, first.TargetMethod.Parameters.Length);
                if (states.Count == 0) continue;
                var at = p.Locations.FirstOrDefault();
                if (at == null || !reported.Add((Rules.MissingState.Id, at.SourceSpan, p.Name))) continue;
                var props = ImmutableDictionary<string, string>.Empty.Add("states", string.Join(",", states));
                report(Diagnostic.Create(Rules.MissingState, at, props, p.Name, proto.TypeName, function.Name, states[0], first.TargetMethod.Name));
            }
        }

        /// <summary>The first (in source order) send, receive or Close on the parameter.</summary>
        IInvocationOperation FirstProtocolUse(int v)
        {
            IInvocationOperation first = null;
            foreach (var b in cfg.Blocks)
            {
                IEnumerable<IOperation> ops = b.Operations;
                if (b.BranchValue != null) ops = ops.Concat(new[] { b.BranchValue });
                foreach (var op in ops)
                    foreach (var d in op.DescendantsAndSelf())
                        if (d is IInvocationOperation inv && inv.Instance != null && VarOf(inv.Instance) == v && IsProtocolStep(vars[v].Protocol, inv.TargetMethod)
                            && (first == null || inv.Syntax.SpanStart < first.Syntax.SpanStart))
                            first = inv;
            }
            return first;
        }

        static bool IsProtocolStep(Protocol p, IMethodSymbol m)
        {
            string n = m.Name;
            if (n.StartsWith("Send", StringComparison.Ordinal)) return p.SendMessages.Contains(n.Substring(4));
            if (n.StartsWith("Recv", StringComparison.Ordinal)) return p.ReceiveMessages.Contains(n.Substring(4));
            return n == "Receive" || (n == TrackedTypes.Close && m.Parameters.Length == 0);
        }

        /// <summary>The states (declared names first, then the unnamed ones between them) in which the step is allowed.</summary>
        static List<string> StatesAllowing(Protocol p, string method, int parameters)
        {
            var list = new List<string>();
            for (int i = 0; i < p.States.Count && i < Protocol.MaxStates; i++)
            {
                bool ok;
                if (method.StartsWith("Send", StringComparison.Ordinal)) ok = p.Transitions.ContainsKey((i, true, method.Substring(4)));
                else if (method.StartsWith("Recv", StringComparison.Ordinal)) ok = p.Transitions.ContainsKey((i, false, method.Substring(4)));
                else if (method == "Receive") ok = p.Receivable(1UL << i).Count > 0;
                else ok = (p.ClosableMask & (1UL << i)) != 0;
                if (ok) list.Add(p.States[i]);
            }
            return list.OrderBy(s => s.IndexOf('#') >= 0 ? 1 : 0).ToList();
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Singularity.Ownership;

namespace Singularity.Analyzers
{
    /// <summary>
    /// A received Message whose tracked arguments (blocks, endpoints) are never taken leaks them. For a
    /// message variable, its typestate word (Ts) holds the message kinds with tracked arguments that are
    /// still possible on the path (bit i: the i-th such kind of its Message type, by name): set at the
    /// Receive, narrowed on the edges of a test of its result, cleared by TakeX (which releases the
    /// message). It leaks only while that set is not empty: a kind without tracked arguments,
    /// ChannelClosed and TimedOut may be dropped.
    /// </summary>
    internal sealed partial class OwnershipFlow
    {
        // Receive calls whose switch is reported incomplete (SING0007), and the kinds it does not handle.
        readonly Dictionary<IOperation, HashSet<string>> unhandled = new Dictionary<IOperation, HashSet<string>>();
        readonly Dictionary<ITypeSymbol, List<KeyValuePair<string, string>>> payloads = new Dictionary<ITypeSymbol, List<KeyValuePair<string, string>>>(SymbolEqualityComparer.Default);

        /// <summary>The kinds that carry tracked arguments, by name, each with them ("ExBuffer payload"); at most 62.</summary>
        List<KeyValuePair<string, string>> PayloadsOf(ITypeSymbol message)
        {
            if (payloads.TryGetValue(message, out var known)) return known;
            var list = new List<KeyValuePair<string, string>>();
            foreach (var m in message.GetMembers().OfType<IMethodSymbol>().OrderBy(m => m.Name, System.StringComparer.Ordinal))
            {
                if (!m.Name.StartsWith(TrackedTypes.TakePrefix, System.StringComparison.Ordinal) || m.Name.Length == TrackedTypes.TakePrefix.Length) continue;
                var carried = m.Parameters.Where(p => p.RefKind == RefKind.Out && model.IsTracked(p.Type)).Select(p => p.Type.Name + " " + p.Name).ToList();
                if (carried.Count > 0 && list.Count < 62) list.Add(new KeyValuePair<string, string>(m.Name.Substring(TrackedTypes.TakePrefix.Length), string.Join(", ", carried)));
            }
            payloads[message] = list;
            return list;
        }

        /// <summary>The kinds among <paramref name="kinds"/> (null: any) that carry tracked arguments, as a mask.</summary>
        ulong KindMask(ITypeSymbol message, IEnumerable<string> kinds)
        {
            var list = PayloadsOf(message);
            ulong mask = 0;
            for (int i = 0; i < list.Count; i++)
                if (kinds == null || kinds.Contains(list[i].Key)) mask |= 1UL << i;
            return mask;
        }

        bool CarriesAny(ITypeSymbol message, List<string> kinds) => KindMask(message, kinds) != 0;

        /// <summary>After a Receive: each message variable it assigned may be any kind the call may return.</summary>
        void MarkReceived(Pending p)
        {
            foreach (var o in p.Outs)
                if (vars[o].Message != null && (s.Own[o] & Owned) != 0) s.Ts[o] = KindMask(vars[o].Message, p.Outcomes);
        }

        /// <summary>On an edge of a test of a Receive's result: the kinds still possible there.</summary>
        void NarrowReceived(State st, IOperation call, Pending p, string name, bool eq)
        {
            foreach (var o in p.Outs)
            {
                var t = vars[o].Message;
                if (t == null || st.Ts[o] == 0) continue;
                List<string> left;
                if (eq) left = new List<string> { name };
                else if (p.Outcomes == null) continue;
                else
                {
                    ulong ex = 0;
                    if (st.Excl != null) st.Excl.TryGetValue(call, out ex);
                    left = new List<string>();
                    for (int i = 0; i < p.Outcomes.Count && i < 64; i++)
                        if ((ex & (1UL << i)) == 0) left.Add(p.Outcomes[i]);
                    // A message the switch forgets is that switch's one error (SING0007), not also a dropped message.
                    if (unhandled.TryGetValue(call, out var forgotten)) left.RemoveAll(forgotten.Contains);
                }
                st.Ts[o] &= KindMask(t, left);
            }
        }

        /// <summary>The leak message for a message dropped with its arguments untaken: the kinds that may be lost.</summary>
        string DroppedMessage(State st, int i, string when)
        {
            var list = PayloadsOf(vars[i].Message);
            var kinds = new List<string>();
            for (int k = 0; k < list.Count; k++)
                if ((st.Ts[i] & (1UL << k)) != 0) kinds.Add("a " + list[k].Key + " (it carries " + list[k].Value + "; take it with Take" + list[k].Key + ")");
            return "the message is dropped " + when + " while it may be " + string.Join(" or ", kinds)
                + ", whose tracked arguments would be lost: take them on every path where such a message arrives";
        }
    }
}

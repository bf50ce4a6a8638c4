using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using Singularity.Ownership;

namespace Singularity.Analyzers
{
    /// <summary>Protocol (typestate) checks: messages sent and received, Close, receive switches, declared [State]s.</summary>
    internal sealed partial class OwnershipFlow
    {
        void CheckDeclaredState(int v, Protocol p, string declared, SyntaxNode at, string what)
        {
            ulong want = StateMask(p, declared);
            ulong have = s.Ts[v];
            if (want == Unknown || have == 0 || (have & (Unknown | PeerClosed)) != 0 || have == want) return;
            Report(Rules.ProtocolViolation, at.GetLocation(), vars[v].Name,
                "'" + vars[v].Name + "' (" + p.TypeName + ") is in state " + p.Names(have) + " but is " + what);
        }

        ulong CheckMessage(int v, bool send, string msg, SyntaxNode at)
        {
            var p = vars[v].Protocol;
            ulong ts = s.Ts[v];
            string op = (send ? "Send" : "Recv") + msg;
            if (ts == 0 || (ts & (Unknown | PeerClosed)) != 0)
            {
                int t = p.UniqueTarget(send, msg);
                return t >= 0 ? 1UL << t : Unknown;
            }
            if (!Single(ts))
            {
                // Report, then go on with the states that allow it (never widen to unknown here, or the
                // fixpoint would lose the very disagreement it reports).
                Report(Rules.ProtocolViolation, at.GetLocation(), vars[v].Name, Disagree(v, p, ts, op));
                ulong next = 0;
                for (int i = 0; i < Protocol.MaxStates; i++)
                    if ((ts & (1UL << i)) != 0 && p.Transitions.TryGetValue((i, send, msg), out int t)) next |= 1UL << t;
                return next != 0 ? next : ts;
            }
            int from = Bit(ts);
            if (p.Transitions.TryGetValue((from, send, msg), out int to)) return 1UL << to;
            var allowed = p.Allowed(from);
            Report(Rules.ProtocolViolation, at.GetLocation(), vars[v].Name,
                op + " is not allowed on '" + vars[v].Name + "' (" + p.TypeName + ") in state " + p.Describe(from) + "; allowed there: "
                + (allowed.Count == 0 ? "nothing but Close()" : string.Join(", ", allowed)));
            return ts; // stay: the step did not happen
        }

        string Disagree(int v, Protocol p, ulong ts, string op)
            => "'" + vars[v].Name + "' (" + p.TypeName + ") is in state " + p.Names(ts)
               + " depending on the path taken; the paths must agree on the protocol state before " + op;

        static bool Single(ulong ts) => (ts & StateBits) != 0 && (ts & (ts - 1)) == 0;

        static int Bit(ulong ts)
        {
            for (int i = 0; i < 64; i++) if ((ts & (1UL << i)) != 0) return i;
            return -1;
        }

        void CheckClose(int v, SyntaxNode at)
        {
            var p = vars[v].Protocol;
            ulong ts = s.Ts[v];
            if (ts == 0 || (ts & (Unknown | PeerClosed)) != 0) return;
            if (!Single(ts))
            {
                if ((ts & ~p.ClosableMask) != 0) Report(Rules.ProtocolViolation, at.GetLocation(), vars[v].Name, Disagree(v, p, ts, "Close()"));
                return;
            }
            if ((ts & p.ClosableMask) != 0) return;
            Report(Rules.ProtocolViolation, at.GetLocation(), vars[v].Name,
                "Close() is not allowed on '" + vars[v].Name + "' (" + p.TypeName + ") in state " + p.Describe(Bit(ts)) + "; it may be closed in state "
                + p.Names(p.ClosableMask));
        }

        ulong CheckReceive(int v, IOperation op)
        {
            var p = vars[v].Protocol;
            ulong ts = s.Ts[v];
            if (op is IInvocationOperation inv) CheckSwitchCompleteness(v, p, ts, inv);
            if (ts == 0 || (ts & (Unknown | PeerClosed)) != 0) return Unknown;
            if (!Single(ts))
            {
                Report(Rules.ProtocolViolation, op.Syntax.GetLocation(), vars[v].Name, Disagree(v, p, ts, "Receive"));
                return ts;
            }
            int from = Bit(ts);
            var receivable = p.Receivable(ts);
            if (receivable.Count == 0)
            {
                var allowed = p.Allowed(from);
                Report(Rules.ProtocolViolation, op.Syntax.GetLocation(), vars[v].Name,
                    "Receive is not allowed on '" + vars[v].Name + "' (" + p.TypeName + ") in state " + p.Describe(from) + ", where this side "
                    + (allowed.Count == 0 ? "may only close" : "must send: " + string.Join(", ", allowed)));
                return ts;
            }
            ulong targets = 0;
            foreach (var m in receivable) targets |= 1UL << p.Transitions[(from, false, m)];
            return targets;
        }

        void CheckSwitchCompleteness(int v, Protocol p, ulong pre, IInvocationOperation inv)
        {
            SyntaxNode n = inv.Syntax.Parent;
            while (n is ParenthesizedExpressionSyntax) n = n.Parent;
            if (!(n is SwitchStatementSyntax sw)) return;
            var semantic = inv.SemanticModel ?? cfg.OriginalOperation.SemanticModel;
            if (semantic == null) return;
            var handled = new HashSet<string>();
            foreach (var section in sw.Sections)
                foreach (var label in section.Labels)
                {
                    switch (label)
                    {
                        case DefaultSwitchLabelSyntax _:
                            return;
                        case CaseSwitchLabelSyntax c:
                            AddLabel(semantic, c.Value, handled);
                            break;
                        case CasePatternSwitchLabelSyntax cp:
                            if (cp.WhenClause != null) break;
                            if (cp.Pattern is ConstantPatternSyntax k) AddLabel(semantic, k.Expression, handled);
                            else if (cp.Pattern is DiscardPatternSyntax || cp.Pattern is VarPatternSyntax || cp.Pattern is DeclarationPatternSyntax) return;
                            break;
                    }
                }
            var required = new List<string>();
            if (pre != 0 && (pre & (Unknown | PeerClosed)) == 0) required.AddRange(p.Receivable(pre));
            required.Add("ChannelClosed");
            if (HasTimeout(inv.Arguments)) required.Add("TimedOut");
            var missing = required.Where(m => !handled.Contains(m)).ToList();
            if (missing.Count == 0) return;
            // A message the switch forgets is that switch's one error (SING0007), not also a dropped message.
            unhandled[inv] = new HashSet<string>(missing);
            var props = ImmutableDictionary<string, string>.Empty
                .Add("missing", string.Join(",", missing))
                .Add("tag", inv.Type?.ToDisplayString() ?? "");
            Report(Rules.IncompleteReceive, sw.SwitchKeyword.GetLocation(), vars[v].Name, props, vars[v].Name, p.TypeName,
                pre != 0 && (pre & (Unknown | PeerClosed)) == 0 ? p.Names(pre) : "unknown",
                string.Join(", ", missing.Select(m => "'" + m + "'")));
        }

        static bool HasTimeout(ImmutableArray<IArgumentOperation> args)
        {
            foreach (var a in args)
                if (a.Parameter != null && a.Parameter.Name.IndexOf("timeout", StringComparison.OrdinalIgnoreCase) >= 0
                    && a.ArgumentKind == ArgumentKind.Explicit && !(a.Value.ConstantValue.HasValue && Equals(a.Value.ConstantValue.Value, -1)))
                    return true;
            return false;
        }

        static void AddLabel(SemanticModel semantic, ExpressionSyntax e, HashSet<string> handled)
        {
            var name = EnumName(semantic.GetSymbolInfo(e).Symbol, semantic.GetTypeInfo(e).Type, semantic.GetConstantValue(e));
            if (name != null) handled.Add(name);
        }

        static string EnumName(ISymbol symbol, ITypeSymbol type, Optional<object> constant)
        {
            if (symbol is IFieldSymbol f && f.HasConstantValue) return f.Name;
            if (type?.TypeKind == TypeKind.Enum && constant.HasValue)
                foreach (var m in type.GetMembers())
                    if (m is IFieldSymbol ef && ef.HasConstantValue && Equals(ef.ConstantValue, constant.Value)) return ef.Name;
            return null;
        }
    }
}

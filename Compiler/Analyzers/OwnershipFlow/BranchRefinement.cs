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
    /// <summary>Narrowing the state on each edge of a branch (null tests, receive results).</summary>
    internal sealed partial class OwnershipFlow
    {
        // ---- branch refinement ---------------------------------------------------------------------

        /// <summary>Narrows the state on one edge of a branch; false if the edge cannot be taken.</summary>
        bool Refine(State st, IOperation cond, bool value)
        {
            if (cond == null) return true;
            cond = Unwrap(cond);
            if (cond.ConstantValue.HasValue && cond.ConstantValue.Value is bool constant) return constant == value;
            while (cond is IUnaryOperation u && u.OperatorKind == UnaryOperatorKind.Not) { cond = Unwrap(u.Operand); value = !value; }
            if (RefineFlag(st, cond, value) is bool flagEdge) return flagEdge;
            switch (cond)
            {
                case IIsNullOperation isNull:
                    if (value) SetNull(st, VarOf(isNull.Operand));
                    break;
                case IBinaryOperation b when b.OperatorKind == BinaryOperatorKind.Equals || b.OperatorKind == BinaryOperatorKind.NotEquals:
                    {
                        bool eq = (b.OperatorKind == BinaryOperatorKind.Equals) == value;
                        if (Unwrap(b.RightOperand).ConstantValue.Value is bool rk && RefineFlag(st, b.LeftOperand, eq == rk) is bool re) return re;
                        if (Unwrap(b.LeftOperand).ConstantValue.Value is bool lk && RefineFlag(st, b.RightOperand, eq == lk) is bool le) return le;
                        if (IsNull(b.RightOperand)) { if (eq) SetNull(st, VarOf(b.LeftOperand)); }
                        else if (IsNull(b.LeftOperand)) { if (eq) SetNull(st, VarOf(b.RightOperand)); }
                        else
                        {
                            var r = RefineReceive(st, b.LeftOperand, b.RightOperand, eq);
                            if (r == null) r = RefineReceive(st, b.RightOperand, b.LeftOperand, eq);
                            return r ?? true;
                        }
                        break;
                    }
                case IIsPatternOperation ip:
                    {
                        var pattern = ip.Pattern;
                        bool pv = value;
                        while (pattern is INegatedPatternOperation neg) { pattern = neg.Pattern; pv = !pv; }
                        if (pattern is IConstantPatternOperation cp)
                        {
                            if (IsNull(cp.Value)) { if (pv) SetNull(st, VarOf(ip.Value)); }
                            else return RefineReceive(st, ip.Value, cp.Value, pv) ?? true;
                        }
                        break;
                    }
                case IPropertyReferenceOperation pr when pr.Property.Name == "IsNull":
                    if (value) SetNull(st, VarOf(pr.Instance));
                    break;
            }
            return true;
        }

        static bool IsNull(IOperation o)
        {
            o = Unwrap(o);
            return o.ConstantValue.HasValue && o.ConstantValue.Value == null && (o is ILiteralOperation || o is IDefaultValueOperation);
        }

        void SetNull(State st, int v)
        {
            if (v < 0) return;
            st.Own[v] = (byte)((st.Own[v] & Released) | Unassigned);
            st.Ts[v] = 0;
        }

        /// <summary>null: not a receive result test; else whether the edge is feasible.</summary>
        bool? RefineReceive(State st, IOperation callSide, IOperation constSide, bool eq)
        {
            var call = Unwrap(callSide);
            if (call is IPropertyReferenceOperation kind && kind.Property.Name == "Kind" && VarOf(kind.Instance) is int mv && mv >= 0 && vars[mv].Message != null)
                return RefineKind(st, mv, constSide, eq);
            if (call is IFlowCaptureReferenceOperation cr && captureCall.TryGetValue(cr.Id, out var captured)) call = captured;
            else if (call is ILocalReferenceOperation lr && resultLocal.TryGetValue(lr.Local, out var stored)) call = stored;
            if (!pending.TryGetValue(call, out var p)) return null;
            var k = Unwrap(constSide);
            string name = EnumName((k as IFieldReferenceOperation)?.Field, k.Type, k.ConstantValue);
            if (name == null) return null;
            if (!eq && p.Outcomes != null)
            {
                int bit = p.Outcomes.IndexOf(name);
                if (bit >= 0 && bit < 64)
                {
                    ulong all = p.Outcomes.Count >= 64 ? ulong.MaxValue : (1UL << p.Outcomes.Count) - 1;
                    ulong ex = 0;
                    if (st.Excl != null) st.Excl.TryGetValue(call, out ex);
                    ex |= 1UL << bit;
                    var copy = st.Excl == null ? new Dictionary<IOperation, ulong>() : new Dictionary<IOperation, ulong>(st.Excl);
                    copy[call] = ex;
                    st.Excl = copy;
                    if ((ex & all) == all) return false;
                }
            }
            NarrowReceived(st, call, p, name, eq);
            int v = p.Var;
            if ((st.Own[v] & Owned) == 0) return true;
            if (p.IsRecvX)
            {
                if (name == "Message" && !eq) NoMessage(st, p, JoinTs(PeerClosed, p.Pre));
                else if (name == "ChannelClosed" && eq) NoMessage(st, p, PeerClosed);
                else if (name == "TimedOut" && eq) NoMessage(st, p, p.Pre);
                return true;
            }
            if (!eq) { NarrowByRemaining(st, call, p); return true; }
            if (name == "ChannelClosed") { st.Ts[v] = PeerClosed; return true; }
            if (name == "TimedOut") { st.Ts[v] = p.Pre; return true; }
            var proto = vars[v].Protocol;
            ulong pre = p.Pre;
            if (pre == 0 || (pre & (Unknown | PeerClosed)) != 0)
            {
                int t = proto.UniqueTarget(false, name);
                st.Ts[v] = t >= 0 ? 1UL << t : Unknown;
                return true;
            }
            if (proto.Receivable(pre).Count == 0) { st.Ts[v] = pre; return true; } // the Receive itself was reported
            if (!Single(pre))
            {
                ulong next = 0;
                for (int i = 0; i < Protocol.MaxStates; i++)
                    if ((pre & (1UL << i)) != 0 && proto.Transitions.TryGetValue((i, false, name), out int t)) next |= 1UL << t;
                st.Ts[v] = next != 0 ? next : pre;
                return true;
            }
            int from = Bit(pre);
            if (proto.Transitions.TryGetValue((from, false, name), out int to)) st.Ts[v] = 1UL << to;
            else
            {
                st.Ts[v] = pre;
                Report(Rules.ProtocolViolation, constSide.Syntax.GetLocation(), vars[v].Name,
                    "message '" + name + "' cannot be received on '" + vars[v].Name + "' (" + proto.TypeName + ") in state " + proto.Describe(from)
                    + "; receivable there: " + (proto.Receivable(pre).Count == 0 ? "nothing" : string.Join(", ", proto.Receivable(pre))));
            }
            return true;
        }

        /// <summary>A test of a message's Kind: the kinds it may still be on this edge (it cannot rule the edge out).</summary>
        bool? RefineKind(State st, int v, IOperation constSide, bool eq)
        {
            var k = Unwrap(constSide);
            string name = EnumName((k as IFieldReferenceOperation)?.Field, k.Type, k.ConstantValue);
            if (name == null) return null;
            ulong one = KindMask(vars[v].Message, new[] { name });
            st.Ts[v] &= eq ? one : ~one;
            return true;
        }

        /// <summary>
        /// On a != edge of a Receive's result: the endpoint is in a state some outcome not yet ruled out
        /// leads to (so a default that only ChannelClosed reaches knows the peer closed).
        /// </summary>
        void NarrowByRemaining(State st, IOperation call, Pending p)
        {
            int v = p.Var;
            var proto = vars[v].Protocol;
            ulong pre = p.Pre;
            if (proto == null || p.Outcomes == null || pre == 0 || (pre & (Unknown | PeerClosed)) != 0) return;
            ulong ex = 0;
            if (st.Excl != null) st.Excl.TryGetValue(call, out ex);
            ulong ts = 0;
            for (int i = 0; i < p.Outcomes.Count && i < 64; i++)
            {
                if ((ex & (1UL << i)) != 0) continue;
                string o = p.Outcomes[i];
                if (o == "ChannelClosed") ts = JoinTs(ts, PeerClosed);
                else if (o == "TimedOut") ts = JoinTs(ts, pre);
                else
                {
                    ulong next = 0;
                    for (int k = 0; k < Protocol.MaxStates; k++)
                        if ((pre & (1UL << k)) != 0 && proto.Transitions.TryGetValue((k, false, o), out int t)) next |= 1UL << t;
                    if (next == 0) return;
                    ts = JoinTs(ts, next);
                }
            }
            if (ts != 0) st.Ts[v] = ts;
        }

        static void NoMessage(State st, Pending p, ulong ts)
        {
            foreach (var o in p.Outs) { st.Own[o] = Unassigned; st.Ts[o] = 0; }
            st.Ts[p.Var] = ts;
        }
    }
}

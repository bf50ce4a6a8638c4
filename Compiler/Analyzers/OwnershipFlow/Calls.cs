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
    /// <summary>A call: its receiver and arguments (claimed or borrowed), its exception edge, out arguments, and the protocol step.</summary>
    internal sealed partial class OwnershipFlow
    {
        /// <summary>How a call is named in a message: "new Foo" for a constructor, else the method's name.</summary>
        static string CallName(IMethodSymbol m)
            => m.MethodKind == MethodKind.Constructor && m.ContainingType != null ? "new " + m.ContainingType.Name : m.Name;

        /// <summary>A call: receiver, arguments (claims, borrows), the exception edge, out arguments, protocol step. Returns the typestate of a returned endpoint.</summary>
        ulong EvalCall(IMethodSymbol method, IOperation instance, ImmutableArray<IArgumentOperation> args, IOperation op)
        {
            int recv = -1;
            bool releasing = method != null && !method.IsStatic
                && ((method.Parameters.Length == 0 && TrackedTypes.IsRelease(method.Name) && method.ContainingType != null && model.IsTracked(method.ContainingType))
                    || ChannelModel.HasAttribute(method.GetAttributes(), TrackedTypes.ClaimsAttribute)
                    || (method.Parameters.Length == 0 && method.Name == TrackedTypes.Dispose && method.ContainingType != null
                        && method.ContainingType.ToDisplayString() == TrackedTypes.DisposableInterface
                        && instance != null && Unwrap(instance).Type is ITypeSymbol it && model.IsTracked(it)));
            if (instance != null)
            {
                recv = VarOf(instance);
                if (recv >= 0) { if (!releasing) UseCheck(recv, instance.Syntax); }
                else
                {
                    Eval(instance);
                    if (IsFresh(instance) && !ChannelModel.IsAffine(instance.Type) && !(method.Parameters.Length == 0 && TrackedTypes.IsRelease(method.Name)))
                        Report(Rules.Leak, instance.Syntax.GetLocation(), "tmp", Unwrap(instance).Syntax.ToString(),
                            "the tracked value is used as a temporary and never freed");
                }
            }
            if (method == null) { foreach (var a in args) Eval(a.Value); return Unknown; }

            bool releaseThis = recv >= 0 && releasing;
            var proto = recv >= 0 ? vars[recv].Protocol : null;
            bool generatedSend = proto != null && method.Name.StartsWith("Send", StringComparison.Ordinal);
            bool tref = method.ContainingType != null && ChannelModel.IsTRef(method.ContainingType)
                && (method.Name == TrackedTypes.Release || method.MethodKind == MethodKind.Constructor);

            // Protocol step, checked against the state before the call.
            ulong newTs = 0;
            bool step = false;
            Pending pend = null;
            if (proto != null && (s.Own[recv] & Owned) != 0)
            {
                string name = method.Name;
                if (name.StartsWith("Send", StringComparison.Ordinal) && proto.SendMessages.Contains(name.Substring(4)))
                {
                    newTs = CheckMessage(recv, true, name.Substring(4), op.Syntax);
                    step = true;
                }
                else if (name.StartsWith("Recv", StringComparison.Ordinal) && proto.ReceiveMessages.Contains(name.Substring(4)))
                {
                    pend = new Pending { Var = recv, Pre = s.Ts[recv], IsRecvX = true, Outcomes = new List<string> { "Message", "ChannelClosed" } };
                    if (HasTimeout(args)) pend.Outcomes.Add("TimedOut");
                    newTs = CheckMessage(recv, false, name.Substring(4), op.Syntax);
                    step = true;
                }
                else if (name == "Receive")
                {
                    pend = new Pending { Var = recv, Pre = s.Ts[recv], IsRecvX = false };
                    ulong pre = s.Ts[recv];
                    // In an unknown state, any message this side receives (so a switch over all of them is complete).
                    pend.Outcomes = pre != 0 && (pre & (Unknown | PeerClosed)) == 0 ? proto.Receivable(pre) : proto.ReceiveMessages.OrderBy(m => m, StringComparer.Ordinal).ToList();
                    pend.Outcomes.Add("ChannelClosed");
                    if (HasTimeout(args)) pend.Outcomes.Add("TimedOut");
                    newTs = CheckReceive(recv, op);
                    step = true;
                }
                else if (name == TrackedTypes.Close && method.Parameters.Length == 0)
                    CheckClose(recv, op.Syntax);
            }

            // `throw new X(...)`: the throw right after reports what leaks; the constructor's own edge would say it twice.
            bool thrown = op is IObjectCreationOperation && current?.BranchValue != null && Unwrap(current.BranchValue) == op
                && current.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Throw;
            bool throws = MayThrow(method) && !thrown;
            // A generated send that throws (a protocol violation) has sent nothing: its arguments are
            // still the caller's on that edge. Any other callee may throw after taking what it claims (below).
            if (throws && generatedSend) Throw(current, s, op.Syntax.GetLocation(), CallName(method));

            // Arguments, in order.
            var borrowed = new List<int>();
            foreach (var a in args)
            {
                var p = a.Parameter;
                if (p == null) { Eval(a.Value); continue; }
                if (p.RefKind == RefKind.Out) continue;
                int v = VarOf(a.Value);
                if (p.RefKind == RefKind.Ref)
                {
                    if (v >= 0) { UseCheck(v, a.Value.Syntax); borrowed.Add(v); } else Eval(a.Value);
                    continue;
                }
                bool tracked = model.IsTracked(p.Type) || model.IsTracked(Unwrap(a.Value).Type);
                if (!tracked) { if (v >= 0) { UseCheck(v, a.Value.Syntax); borrowed.Add(v); } else Eval(a.Value); continue; }
                bool claims = ChannelModel.HasClaims(p) || generatedSend || tref;
                var stateAttr = ChannelModel.StateOf(p.GetAttributes());
                // An endpoint carried by a generated SendX travels in its contract's initial state
                // unless the message parameter says [State] (the runtime checks IsInState(null)).
                if (stateAttr == null && generatedSend && v >= 0 && vars[v].Protocol != null)
                    stateAttr = vars[v].Protocol.States[vars[v].Protocol.Initial];
                if (v >= 0)
                {
                    if (!claims) UseCheck(v, a.Value.Syntax);
                    if (vars[v].Protocol != null && stateAttr != null && (s.Own[v] & Owned) != 0)
                        CheckDeclaredState(v, vars[v].Protocol, stateAttr, a.Value.Syntax,
                            "passed to parameter '" + p.Name + "' of '" + method.Name + "', which expects state '" + stateAttr + "'");
                    if (claims) Transfer(v, a.Value.Syntax, true, generatedSend ? "send" : "hand over");
                    else borrowed.Add(v);
                }
                else
                {
                    Eval(a.Value);
                    if (!claims && IsFresh(a.Value) && !ChannelModel.IsAffine(a.Value.Type))
                        Report(Rules.Leak, a.Value.Syntax.GetLocation(), "arg", Unwrap(a.Value).Syntax.ToString(),
                            "it is passed to '" + p.Name + "' of '" + method.Name + "', which does not claim it, and is lost");
                }
            }
            if (tref && method.Name == TrackedTypes.Release && instance != null && Unwrap(instance) is IFieldReferenceOperation)
            {
                // handled by [State] on the argument; nothing else to do
            }

            // The exception edge: the callee may throw after taking what it claims.
            if (throws && !generatedSend) Throw(current, s, op.Syntax.GetLocation(), CallName(method));

            // Borrowed endpoints may have been moved along their protocol by the callee.
            foreach (var v in borrowed)
                if (vars[v].Protocol != null && (s.Own[v] & Owned) != 0) s.Ts[v] = Unknown;

            // Out arguments: fresh ownership.
            bool received = method.Name == "NewChannel" || (method.ContainingType != null && (ChannelModel.IsEndpoint(method.ContainingType)
                || (method.ContainingType.ContainingType != null && ChannelModel.IsEndpoint(method.ContainingType.ContainingType))));
            foreach (var a in args)
            {
                var p = a.Parameter;
                if (p == null || p.RefKind != RefKind.Out) continue;
                var target = Unwrap(a.Value);
                if (target is IDeclarationExpressionOperation de) target = Unwrap(de.Expression);
                int v = VarOf(target);
                if (!model.IsTracked(p.Type)) { if (v < 0) Eval(target); continue; }
                var pp = model.GetProtocol(p.Type);
                ulong ts = pp == null ? 0 : StateMask(pp, ChannelModel.StateOf(p.GetAttributes()) ?? (received ? pp.States[pp.Initial] : null));
                if (v >= 0)
                {
                    Assign(v, new Value { Var = -1, Ts = ts, Proto = pp }, a.Syntax);
                    pend?.Outs.Add(v);
                }
                else if (target is IDiscardOperation && !ChannelModel.IsAffine(p.Type))
                    Report(Rules.Leak, a.Syntax.GetLocation(), "_", "_", "the tracked value received from '" + method.Name + "' is discarded");
                else if (target is IDiscardOperation && ChannelModel.IsMessage(p.Type) && CarriesAny(p.Type, pend?.Outcomes))
                    Report(Rules.Leak, a.Syntax.GetLocation(), "_", "_", "the message received from '" + method.Name + "' is discarded, and a message of a kind with tracked arguments would leak them ("
                        + string.Join("; ", PayloadsOf(p.Type).Select(kv => kv.Key + " carries " + kv.Value)) + ")");
            }
            foreach (var v in borrowed)
                if (args.Any(x => x.Parameter?.RefKind == RefKind.Ref && VarOf(x.Value) == v) && vars[v].Protocol != null) s.Ts[v] = Unknown;

            if (releaseThis) Transfer(recv, op.Syntax, true, "free or close");
            if (step && (s.Own[recv] & Owned) != 0) s.Ts[recv] = newTs;
            if (pend != null)
            {
                pending[op] = pend;
                MarkReceived(pend);
                if (s.Excl != null && s.Excl.ContainsKey(op))
                {
                    var copy = new Dictionary<IOperation, ulong>(s.Excl);
                    copy.Remove(op);
                    s.Excl = copy.Count == 0 ? null : copy;
                }
            }

            // The result.
            if (!model.IsTracked(method.ReturnType)) return 0;
            if (op.Parent is IExpressionStatementOperation && !ChannelModel.IsAffine(method.ReturnType))
                Report(Rules.Leak, op.Syntax.GetLocation(), "result", method.Name, "the tracked value returned by '" + method.Name + "' is discarded");
            var rp = model.GetProtocol(method.ReturnType);
            if (rp == null) return 0;
            string st = ChannelModel.StateOf(method.GetReturnTypeAttributes());
            if (st == null && tref && method.Name == "Acquire" && Unwrap(instance) is IFieldReferenceOperation fr)
                st = ChannelModel.StateOf(fr.Field.GetAttributes());
            if (st == null && received) st = rp.States[rp.Initial];
            return StateMask(rp, st);
        }
    }
}

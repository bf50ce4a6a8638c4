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
    /// <summary>Evaluating operations: reads, moves, assignments, returns, and the ownership hooks they call.</summary>
    internal sealed partial class OwnershipFlow
    {
        // ---- operations -----------------------------------------------------------------------------

        internal static IOperation Unwrap(IOperation o)
        {
            while (true)
            {
                if (o is IConversionOperation c && !c.Conversion.IsUserDefined) o = c.Operand;
                else if (o is IParenthesizedOperation p) o = p.Operand;
                else return o;
            }
        }

        int VarOf(IOperation o)
        {
            o = Unwrap(o);
            switch (o)
            {
                case ILocalReferenceOperation l: return index.TryGetValue(l.Local, out int i) ? i : -1;
                case IParameterReferenceOperation p: return index.TryGetValue(p.Parameter, out int j) ? j : -1;
                case IFlowCaptureReferenceOperation c: return alias.TryGetValue(c.Id, out int k) ? k : -1;
                default: return -1;
            }
        }

        void UseCheck(int i, SyntaxNode at)
        {
            if ((s.Own[i] & Released) != 0)
                Report(Rules.UseAfterTransfer, at.GetLocation(), vars[i].Name, vars[i].Name,
                    ((s.Own[i] & (Owned | Unassigned)) != 0 ? " on some path" : "") + MovedAt(i, at));
        }

        /// <summary>Where the value's ownership last moved away (the send, free or copy), for the message.</summary>
        string MovedAt(int i, SyntaxNode now)
        {
            if (!movedAt.TryGetValue(i, out var at) || at == now) return "";
            var line = at.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            var text = at.ToString();
            int nl = text.IndexOf('\n');
            if (nl >= 0) text = text.Substring(0, nl).TrimEnd() + " ...";
            if (text.Length > 60) text = text.Substring(0, 57) + "...";
            return " (at line " + line + ": '" + text + "')";
        }

        void Transfer(int i, SyntaxNode at, bool explicitTransfer, string how = "give away")
        {
            if (explicitTransfer)
            {
                if (IsLent(i)) ReportBorrowed(i, at, how);
                else if ((s.Own[i] & Released) != 0)
                    Report(Rules.DoubleTransfer, at.GetLocation(), vars[i].Name, vars[i].Name,
                        ((s.Own[i] & (Owned | Unassigned)) != 0 ? " on some path" : "") + MovedAt(i, at));
                else if (s.Own[i] == Unassigned) return;
            }
            if ((s.Own[i] & Owned) != 0) movedAt[i] = at;
            s.Own[i] = Released;
            s.Ts[i] = 0;
        }

        bool IsLent(int i) => (s.Own[i] & (Lent | Released)) == Lent;

        void ReportBorrowed(int i, SyntaxNode at, string how)
        {
            var p = vars[i].Symbol as IParameterSymbol;
            Report(Rules.TransferOfBorrowed, at.GetLocation(), vars[i].Name, vars[i].Name,
                p == null ? "a copy of a borrowed parameter"
                : p.RefKind == RefKind.Ref ? "a ref parameter: the value stays the caller's"
                : "the parameter has no [Claims]", how);
        }

        bool IsFresh(IOperation o)
        {
            o = Unwrap(o);
            return (o is IInvocationOperation || o is IObjectCreationOperation) && model.IsTracked(o.Type);
        }

        void Eval(IOperation op)
        {
            if (op == null) return;
            switch (op)
            {
                case ILocalReferenceOperation l:
                    if (!l.IsDeclaration && index.TryGetValue(l.Local, out int li)) UseCheck(li, op.Syntax);
                    return;
                case IParameterReferenceOperation p:
                    if (index.TryGetValue(p.Parameter, out int pi)) UseCheck(pi, op.Syntax);
                    return;
                case IFlowCaptureReferenceOperation cr:
                    if (alias.TryGetValue(cr.Id, out int ci)) UseCheck(ci, op.Syntax);
                    return;
                case IFlowCaptureOperation fc:
                    {
                        int v = VarOf(fc.Value);
                        if (v >= 0) { UseCheck(v, fc.Value.Syntax); alias[fc.Id] = v; return; }
                        Eval(fc.Value);
                        var inner = Unwrap(fc.Value);
                        if (inner is IInvocationOperation && pending.ContainsKey(inner)) captureCall[fc.Id] = inner;
                        return;
                    }
                case ISimpleAssignmentOperation a:
                    EvalAssignment(a);
                    return;
                case IInvocationOperation inv:
                    EvalCall(inv.TargetMethod, inv.Instance, inv.Arguments, inv);
                    return;
                case IObjectCreationOperation oc:
                    EvalCall(oc.Constructor, null, oc.Arguments, oc);
                    Eval(oc.Initializer);
                    return;
                case IArrayCreationOperation ac:
                    EvalArrayCreation(ac);
                    return;
                case IFlowAnonymousFunctionOperation _:
                case IAnonymousFunctionOperation _:
                case ILocalFunctionOperation _:
                    return;
                case IThrowOperation t:
                    Eval(t.Exception);
                    Throw(current, s, op.Syntax.GetLocation(), null);
                    return;
                default:
                    foreach (var child in op.ChildOperations) Eval(child);
                    return;
            }
        }

        void EvalArrayCreation(IArrayCreationOperation ac)
        {
            foreach (var d in ac.DimensionSizes) Eval(d);
            if (ac.Initializer == null) return;
            var parent = ac.Parent;
            while (parent is IConversionOperation) parent = parent.Parent;
            bool lent = parent is IArgumentOperation arg && arg.Parameter?.ContainingType != null
                && ChannelModel.IsSingularityNamespace(arg.Parameter.ContainingType.ContainingNamespace);
            foreach (var e in ac.Initializer.ElementValues)
            {
                int v = VarOf(e);
                if (v >= 0) { UseCheck(v, e.Syntax); if (!lent) Transfer(v, e.Syntax, false); }
                else Eval(e);
            }
        }

        struct Value
        {
            public int Var;         // >= 0: the value of a tracked variable (a move)
            public bool Null;       // null or default
            public ulong Ts;        // typestate of a fresh endpoint
            public Protocol Proto;
        }

        Value EvalSource(IOperation value)
        {
            var v = Unwrap(value);
            int i = VarOf(v);
            if (i >= 0) { UseCheck(i, v.Syntax); return new Value { Var = i }; }
            if (v is ILiteralOperation || v is IDefaultValueOperation || (v.ConstantValue.HasValue && v.ConstantValue.Value == null))
            {
                Eval(v);
                return new Value { Var = -1, Null = true };
            }
            ulong ts = Unknown;
            Protocol proto = null;
            switch (v)
            {
                case IInvocationOperation inv:
                    ts = EvalCall(inv.TargetMethod, inv.Instance, inv.Arguments, inv);
                    proto = model.GetProtocol(inv.Type);
                    break;
                case IObjectCreationOperation oc:
                    EvalCall(oc.Constructor, null, oc.Arguments, oc);
                    Eval(oc.Initializer);
                    break;
                default:
                    Eval(value);
                    break;
            }
            return new Value { Var = -1, Ts = ts, Proto = proto };
        }

        void Assign(int target, Value value, SyntaxNode at)
        {
            var t = vars[target];
            if (value.Var == target) return;
            if (Leaks(s, target))
                Report(Rules.Leak, at.GetLocation(), t.Name, t.Name, t.Message != null ? DroppedMessage(s, target, "when it is overwritten here")
                    : "it is overwritten while it still owns a tracked value");
            if (value.Var >= 0)
            {
                byte own = s.Own[value.Var];
                ulong ts = s.Ts[value.Var];
                Transfer(value.Var, at, false);
                s.Own[target] = (own & Owned) != 0 ? (byte)(own & ~Released) : own;
                if (s.Own[target] == 0) s.Own[target] = Unassigned;
                s.Ts[target] = t.Protocol != null && t.Protocol == vars[value.Var].Protocol ? ts : (t.Protocol != null ? Unknown : t.Message != null ? ts : 0);
                return;
            }
            if (value.Null) { s.Own[target] = Unassigned; s.Ts[target] = 0; return; }
            s.Own[target] = Owned;
            s.Ts[target] = t.Protocol == null ? 0 : (value.Proto == t.Protocol ? value.Ts : Unknown);
        }

        void EvalAssignment(ISimpleAssignmentOperation a)
        {
            var target = Unwrap(a.Target);
            int ti = VarOf(target);
            if (ti >= 0 && !(target is IFlowCaptureReferenceOperation))
            {
                var value = EvalSource(a.Value);
                Assign(ti, value, a.Syntax);
                return;
            }
            if (target is IDiscardOperation && model.IsTracked(a.Value.Type))
            {
                var value = EvalSource(a.Value);
                if (value.Var >= 0) Transfer(value.Var, a.Syntax, false);
                if (!value.Null && !ChannelModel.IsAffine(a.Value.Type))
                    Report(Rules.Leak, a.Syntax.GetLocation(), "_", value.Var >= 0 ? vars[value.Var].Name : "_",
                        "it is assigned to a discard and lost");
                return;
            }
            if (target is ILocalReferenceOperation lr && !model.IsTracked(lr.Type))
            {
                Eval(a.Value);
                AssignFlag(target, a.Value);
                var call = Unwrap(a.Value);
                if (call is IInvocationOperation && pending.ContainsKey(call)) resultLocal[lr.Local] = call;
                else resultLocal.Remove(lr.Local);
                return;
            }
            if (target is IFieldReferenceOperation || target is IPropertyReferenceOperation || target is IArrayElementReferenceOperation)
            {
                foreach (var child in target.ChildOperations) Eval(child);
                int v = VarOf(a.Value);
                if (v >= 0) { UseCheck(v, a.Value.Syntax); Transfer(v, a.Syntax, false); } // stored (SING0004): ownership is gone
                else Eval(a.Value);
                return;
            }
            Eval(a.Target);
            Eval(a.Value);
        }

        void EvalReturn(IOperation value)
        {
            int v = VarOf(value);
            if (v < 0) { Eval(value); return; }
            UseCheck(v, value.Syntax);
            var p = vars[v].Protocol;
            var declared = ChannelModel.StateOf(function.GetReturnTypeAttributes());
            if (p != null && declared != null)
                CheckDeclaredState(v, p, declared, value.Syntax, "returned by '" + function.Name + "', whose result is [State(\"" + declared + "\")]");
            if (IsLent(v)) ReportBorrowed(v, value.Syntax, "return");
            Transfer(v, value.Syntax, false);
        }

        bool MayThrow(IMethodSymbol m)
        {
            if (m == null) return false;
            var t = m.ContainingType;
            if (t == null) return true;
            if (t.SpecialType != SpecialType.None) return false;
            return !model.IsTrustedApi(t);
        }
    }
}

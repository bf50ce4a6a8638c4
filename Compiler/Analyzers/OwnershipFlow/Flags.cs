using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Singularity.Analyzers
{
    /// <summary>
    /// Boolean flags correlated with ownership: `bool sent = false; ... Send(b); sent = true; ...
    /// finally { if (!sent) b.Free(); }`. A bool local that is only ever assigned directly (never
    /// passed by ref or out, never captured, never compound-assigned) is a flag: each path knows
    /// whether it holds a constant, and a test of it takes only the edge that value allows. A finally
    /// region runs once per path entering it, so the normal path (sent) and an exception path (not
    /// sent) each take their own branch. Joins forget a value the paths disagree on.
    /// </summary>
    internal sealed partial class OwnershipFlow
    {
        static readonly byte[] NoFlags = new byte[0];
        const byte FlagFalse = 1, FlagTrue = 2, FlagEither = 3;

        readonly Dictionary<ILocalSymbol, int> flags = new Dictionary<ILocalSymbol, int>(SymbolEqualityComparer.Default);

        void CollectFlags()
        {
            var candidates = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            CollectBoolLocals(cfg.Root, candidates);
            if (candidates.Count == 0) return;
            var excluded = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            foreach (var b in cfg.Blocks)
            {
                IEnumerable<IOperation> ops = b.Operations;
                if (b.BranchValue != null) ops = ops.Concat(new[] { b.BranchValue });
                foreach (var op in ops)
                    foreach (var d in op.DescendantsAndSelf())
                        if (d is ILocalReferenceOperation lr && candidates.Contains(lr.Local) && !IsPlainUse(lr)) excluded.Add(lr.Local);
            }
            // Captured by a lambda or local function: written at times this function does not see.
            var root = cfg.OriginalOperation.Syntax;
            foreach (var n in root.DescendantNodes().Where(n => n is AnonymousFunctionExpressionSyntax || n is LocalFunctionStatementSyntax))
                foreach (var id in n.DescendantNodes().OfType<IdentifierNameSyntax>())
                    foreach (var c in candidates)
                        if (c.Name == id.Identifier.ValueText) excluded.Add(c);
            foreach (var c in candidates)
                if (!excluded.Contains(c)) flags[c] = flags.Count;
        }

        static void CollectBoolLocals(ControlFlowRegion r, HashSet<ILocalSymbol> into)
        {
            foreach (var l in r.Locals)
                if (l.Type?.SpecialType == SpecialType.System_Boolean && !l.IsRef && !l.IsConst) into.Add(l);
            foreach (var n in r.NestedRegions) CollectBoolLocals(n, into);
        }

        /// <summary>A read, or the target of a plain assignment; anything else (ref, out, compound, address) disqualifies.</summary>
        static bool IsPlainUse(ILocalReferenceOperation lr)
        {
            var parent = lr.Parent;
            while (parent is IParenthesizedOperation || (parent is IConversionOperation c && !c.Conversion.IsUserDefined)) parent = parent.Parent;
            switch (parent)
            {
                case ISimpleAssignmentOperation a: return !a.IsRef;
                case IArgumentOperation arg: return arg.Parameter == null || arg.Parameter.RefKind == RefKind.None || arg.Parameter.RefKind == RefKind.In;
                case ICompoundAssignmentOperation _:
                case ICoalesceAssignmentOperation _:
                case IIncrementOrDecrementOperation _:
                case IDeconstructionAssignmentOperation _:
                case IAddressOfOperation _:
                    return false;
                default:
                    return !(parent is ITupleOperation);
            }
        }

        int FlagOf(IOperation o) => Unwrap(o) is ILocalReferenceOperation lr && flags.TryGetValue(lr.Local, out int f) ? f : -1;

        /// <summary>An assignment to a flag: the constant, another flag's value, or "either".</summary>
        bool AssignFlag(IOperation target, IOperation value)
        {
            int f = FlagOf(target);
            if (f < 0) return false;
            var v = Unwrap(value);
            byte b = v.ConstantValue.HasValue && v.ConstantValue.Value is bool k ? (k ? FlagTrue : FlagFalse)
                : FlagOf(v) is int g && g >= 0 ? s.Flag[g] : FlagEither;
            s.Flag[f] = b == 0 ? FlagEither : b;
            return true;
        }

        /// <summary>A test of a flag (`if (sent)`, `!sent`, `sent == false`): null if it is not one, else whether the edge can be taken.</summary>
        bool? RefineFlag(State st, IOperation cond, bool value)
        {
            int f = FlagOf(cond);
            if (f < 0) return null;
            byte known = st.Flag[f];
            if (known == FlagTrue && !value) return false;
            if (known == FlagFalse && value) return false;
            st.Flag[f] = value ? FlagTrue : FlagFalse;
            return true;
        }
    }
}

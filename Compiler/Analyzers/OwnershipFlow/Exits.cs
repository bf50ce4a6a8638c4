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
    /// <summary>Leaving by a throw or out of a local's scope: what is still owned there leaks; and where to report it.</summary>
    internal sealed partial class OwnershipFlow
    {
        /// <summary>An exception at this point: run enclosing finally regions, reach a catch, or leave the function.</summary>
        void Throw(BasicBlock from, State st, Location at, string call)
        {
            if (!frame.Main) return;
            st = st.Clone();
            bool viaFinally = false;
            for (var r = from.EnclosingRegion; r != null; r = r.EnclosingRegion)
            {
                foreach (var l in r.Locals)
                    if (index.TryGetValue(l, out int i)) LeakOnThrow(st, i, at, call, viaFinally);
                if (r.Kind == ControlFlowRegionKind.Try)
                {
                    var parent = r.EnclosingRegion;
                    if (parent.Kind == ControlFlowRegionKind.TryAndFinally)
                    {
                        var saved = reportingPass;
                        st = RunFinally(parent.NestedRegions[parent.NestedRegions.Length - 1], st);
                        reportingPass = saved;
                        viaFinally = true;
                    }
                    else if (parent.Kind == ControlFlowRegionKind.TryAndCatch)
                    {
                        for (int h = 1; h < parent.NestedRegions.Length; h++)
                            Merge(mainFrame, cfg.Blocks[parent.NestedRegions[h].FirstBlockOrdinal], st);
                        return;
                    }
                }
            }
            for (int i = 0; i < vars.Count; i++)
                if (vars[i].IsParameter) LeakOnThrow(st, i, at, call, viaFinally);
        }

        /// <summary>Whether the variable still owns something that nothing will release if it is dropped now.</summary>
        bool Leaks(State st, int i)
        {
            var v = vars[i];
            if ((st.Own[i] & (Owned | Lent)) != Owned || v.Borrowed || v.NoLeakCheck) return false;
            return v.Message == null || st.Ts[i] != 0;
        }

        void LeakOnThrow(State st, int i, Location at, string call, bool viaFinally)
        {
            var v = vars[i];
            if (Leaks(st, i) && at != null)
                Report(Rules.Leak, at, v.Name, v.Name, v.Message != null ? DroppedMessage(st, i, call != null ? "if '" + call + "' throws" : "when this exception leaves its scope")
                    : call != null
                    ? "it is still owned if '" + call + "' throws" + (viaFinally ? ": the finally that runs then does not release it on that path" : ", and no try/finally or catch releases it")
                    : "it is still owned when this exception leaves its scope" + (viaFinally ? " (the finally that runs then does not release it on that path)" : ""));
            st.Own[i] = Unassigned;
            st.Ts[i] = 0;
        }

        void LeaveScope(State st, int i, Func<Location> where)
        {
            var v = vars[i];
            if (Leaks(st, i) && Reporting)
            {
                var loc = where();
                var props = ImmutableDictionary<string, string>.Empty.Add("var", v.Name).Add("release", v.Release).Add("kind", "scope");
                Report(Rules.Leak, loc, v.Name, props, v.Name, v.Message != null ? DroppedMessage(st, i, "when it goes out of scope here")
                    : (st.Own[i] & (Released | Unassigned)) != 0
                    ? "it is still owned on some path that leaves its scope here (free, close or transfer it on every path)"
                    : "it is still owned when it goes out of scope here (free, close or transfer it first)");
            }
            st.Own[i] = Unassigned;
            st.Ts[i] = 0;
        }

        // ---- locations -------------------------------------------------------------------------------

        Location ThrowLocation(BasicBlock b)
        {
            if (b.BranchValue != null)
            {
                var t = b.BranchValue.Syntax.FirstAncestorOrSelf<SyntaxNode>(n => n is ThrowStatementSyntax || n is ThrowExpressionSyntax);
                return (t ?? b.BranchValue.Syntax).GetLocation();
            }
            var last = b.Operations.LastOrDefault();
            if (last != null)
            {
                var next = FindJump(last.Syntax.Span.End, null, k => k is ThrowStatementSyntax);
                if (next != null) return next.GetLocation();
                return last.Syntax.GetLocation();
            }
            return null;
        }

        static Location SectionStart(SwitchSectionSyntax section)
            => section.Statements.Count > 0 ? section.Statements[0].GetLocation() : section.Labels.Last().GetLocation();

        SyntaxNode FindJump(int after, SyntaxNode scope, Func<SyntaxNode, bool> kind)
        {
            var root = scope ?? cfg.OriginalOperation.Syntax;
            SyntaxNode best = null;
            foreach (var n in root.DescendantNodes(n => !(n is AnonymousFunctionExpressionSyntax || n is LocalFunctionStatementSyntax)))
                if (n.SpanStart >= after && kind(n) && (best == null || n.SpanStart < best.SpanStart)) best = n;
            return best;
        }

        Location ScopeExitLocation(BasicBlock from, ControlFlowBranch branch, ILocalSymbol local)
        {
            if (branch.Semantics == ControlFlowBranchSemantics.Return && from.BranchValue != null)
            {
                var ret = from.BranchValue.Syntax.FirstAncestorOrSelf<SyntaxNode>(n => n is ReturnStatementSyntax || n is ArrowExpressionClauseSyntax);
                return (ret ?? from.BranchValue.Syntax).GetLocation();
            }
            SyntaxNode scope = null;
            if (local != null)
            {
                var decl = local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct);
                scope = decl?.FirstAncestorOrSelf<SyntaxNode>(n => n is BlockSyntax || n is SwitchSectionSyntax);
            }
            if (scope == null)
                scope = (cfg.OriginalOperation.Syntax as BaseMethodDeclarationSyntax)?.Body
                        ?? (SyntaxNode)(cfg.OriginalOperation.Syntax as LocalFunctionStatementSyntax)?.Body
                        ?? cfg.OriginalOperation.Syntax;
            var lastSyntax = from.BranchValue?.Syntax ?? from.Operations.LastOrDefault()?.Syntax;
            // Leaving straight from a switch's case tests: through its default section, or past the switch.
            var label = lastSyntax?.FirstAncestorOrSelf<SwitchLabelSyntax>();
            if (label != null && label.Parent?.Parent is SwitchStatementSyntax sw && scope.Span.Contains(sw.Span))
            {
                bool matched = from.BranchValue != null && (branch == from.ConditionalSuccessor) == (from.ConditionKind == ControlFlowConditionKind.WhenTrue);
                if (matched && label.Parent is SwitchSectionSyntax taken) return SectionStart(taken);
                var fallback = sw.Sections.FirstOrDefault(x => x.Labels.Any(l => l is DefaultSwitchLabelSyntax));
                return fallback != null ? SectionStart(fallback) : sw.CloseBraceToken.GetLocation();
            }
            if (lastSyntax != null && scope.Span.Contains(lastSyntax.Span))
            {
                var jump = FindJump(lastSyntax.Span.End, scope, n => n is ReturnStatementSyntax || n is BreakStatementSyntax
                    || n is ContinueStatementSyntax || n is GotoStatementSyntax || n is YieldStatementSyntax);
                if (jump != null) return jump.GetLocation();
            }
            if (scope is BlockSyntax block) return block.CloseBraceToken.GetLocation();
            if (scope is SwitchSectionSyntax section) return section.Statements.Count > 0 ? section.Statements.Last().GetLocation() : section.Labels.Last().GetLocation();
            if (scope is AnonymousFunctionExpressionSyntax || scope is ArrowExpressionClauseSyntax) return scope.GetLocation();
            return local?.Locations.FirstOrDefault() ?? scope.GetLocation();
        }
    }
}

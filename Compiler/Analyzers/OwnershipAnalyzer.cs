using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Singularity.Analyzers
{
    /// <summary>
    /// SING0001-SING0007: ownership of tracked values and channel protocols. SING0004/SING0005 are
    /// checked per operation; the others by a data-flow analysis over each body's control-flow graph
    /// (see <see cref="OwnershipFlow"/>).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class OwnershipAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            Rules.UseAfterTransfer, Rules.DoubleTransfer, Rules.TransferOfBorrowed, Rules.Leak, Rules.StoredInHeap, Rules.Captured,
            Rules.ProtocolViolation, Rules.IncompleteReceive, Rules.MissingState, Rules.InternalError);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var model = new ChannelModel(start.Compilation.Assembly);
                start.RegisterOperationBlockAction(c => SafetyAnalyzer.Guard(c.ReportDiagnostic, c.OwningSymbol?.Name,
                    c.OwningSymbol?.Locations.FirstOrDefault(), () => AnalyzeBodies(c, model)));
                start.RegisterOperationAction(c => SafetyAnalyzer.Guard(c.ReportDiagnostic, c.ContainingSymbol?.Name,
                    c.Operation.Syntax.GetLocation(), () => AnalyzeStore(c, model)),
                    OperationKind.SimpleAssignment, OperationKind.ArrayCreation);
                start.RegisterOperationAction(c => SafetyAnalyzer.Guard(c.ReportDiagnostic, c.ContainingSymbol?.Name,
                    c.Operation.Syntax.GetLocation(), () => AnalyzeTypeArguments(c, model)),
                    OperationKind.ObjectCreation, OperationKind.Invocation, OperationKind.MethodReference, OperationKind.Conversion);
                start.RegisterOperationAction(c => SafetyAnalyzer.Guard(c.ReportDiagnostic, c.ContainingSymbol?.Name,
                    c.Operation.Syntax.GetLocation(), () => AnalyzeCapture(c, model)),
                    OperationKind.LocalReference, OperationKind.ParameterReference, OperationKind.VariableDeclarator);
                start.RegisterSymbolAction(c => SafetyAnalyzer.Guard(c.ReportDiagnostic, c.Symbol.Name,
                    c.Symbol.Locations.FirstOrDefault(), () => AnalyzeMemberDeclaration(c, model)),
                    SymbolKind.Field, SymbolKind.Property);
            });
        }

        // ---- SING0001/2/3/6/7: data flow over the control-flow graph ------------------------------------

        static void AnalyzeBodies(OperationBlockAnalysisContext c, ChannelModel model)
        {
            if (!(c.OwningSymbol is IMethodSymbol method)) return;
            if (method.ContainingType != null && model.IsTrustedApi(method.ContainingType)) return;
            foreach (var block in c.OperationBlocks)
            {
                if (!(block is IMethodBodyBaseOperation || block is IBlockOperation || block is IAnonymousFunctionOperation)) continue;
                if (!MentionsTracked(block, model, method)) continue;
                var cfg = c.GetControlFlowGraph(block);
                AnalyzeGraph(cfg, method, model, c.ReportDiagnostic, c.CancellationToken, 0);
            }
        }

        static void AnalyzeGraph(ControlFlowGraph cfg, IMethodSymbol function, ChannelModel model,
            System.Action<Diagnostic> report, System.Threading.CancellationToken ct, int depth)
        {
            if (depth > 16) return;
            if (!function.IsAsync && !model.IsIterator(function))
                new OwnershipFlow(cfg, function, model, report, ct).Run();
            foreach (var lf in cfg.LocalFunctions)
                AnalyzeGraph(cfg.GetLocalFunctionControlFlowGraph(lf, ct), lf, model, report, ct, depth + 1);
            foreach (var b in cfg.Blocks)
            {
                IEnumerable<IOperation> ops = b.Operations;
                if (b.BranchValue != null) ops = ops.Concat(new[] { b.BranchValue });
                foreach (var op in ops)
                    foreach (var d in op.DescendantsAndSelf())
                        if (d is IFlowAnonymousFunctionOperation af)
                            AnalyzeGraph(cfg.GetAnonymousFunctionControlFlowGraph(af, ct), af.Symbol, model, report, ct, depth + 1);
            }
        }

        static bool MentionsTracked(IOperation block, ChannelModel model, IMethodSymbol method)
        {
            foreach (var p in method.Parameters)
                if (model.IsTracked(p.Type)) return true;
            foreach (var op in block.Descendants())
            {
                switch (op)
                {
                    case ILocalReferenceOperation _:
                    case IParameterReferenceOperation _:
                    case IInvocationOperation _:
                    case IObjectCreationOperation _:
                    case IArgumentOperation _:
                    case IDefaultValueOperation _:
                        if (model.IsTracked(op.Type)) return true;
                        if (op is IArgumentOperation a && a.Parameter != null && model.IsTracked(a.Parameter.Type)) return true;
                        break;
                }
            }
            return false;
        }

        // ---- SING0004: tracked values in fields, properties, array elements, statics ---------------------

        // ---- SING0004: a tracked type as a type argument ------------------------------------------------

        /// <summary>
        /// A generic type or method outside the runtime (List&lt;ExBuffer&gt;, a SIP's own Box&lt;T&gt;
        /// or Id&lt;T&gt;) could keep a tracked value where neither checker follows it (its code sees
        /// only T). So a tracked type argument is allowed only to the runtime's and contracts' own
        /// generics (TRef, EndpointGroup, ...); the verifier refuses the same (SV0304).
        /// </summary>
        static void AnalyzeTypeArguments(OperationAnalysisContext c, ChannelModel model)
        {
            var owner = c.ContainingSymbol?.ContainingType;
            if (owner != null && model.IsTrustedApi(owner)) return;
            IMethodSymbol method = null;
            ITypeSymbol type = null;
            switch (c.Operation)
            {
                case IObjectCreationOperation oc: type = oc.Type; break;
                case IInvocationOperation inv: method = inv.TargetMethod; break;
                case IMethodReferenceOperation mr: method = mr.Method; break;
                // A conversion with no call to see: ExBuffer[] to Span<ExBuffer> (C# 14's span conversions).
                case IConversionOperation conv when !conv.Conversion.IsIdentity:
                    if (conv.Operand?.Type != null && TrackedArgumentOf(conv.Operand.Type, model) != null) return;   // reported where that type was made
                    type = conv.Type;
                    break;
            }
            string found = null;
            if (method != null)
            {
                if (method.IsGenericMethod && !IsTrustedGeneric(method.ContainingType, model))
                    foreach (var a in method.TypeArguments) { found = TrackedIn(a, model); if (found != null) { found += "' of '" + method.Name; break; } }
                type = method.ContainingType;
            }
            if (found == null && type != null) found = TrackedArgumentOf(type, model);
            if (found == null) return;
            c.ReportDiagnostic(Diagnostic.Create(Rules.StoredInHeap, c.Operation.Syntax.GetLocation(),
                "type '" + found + "'", "a generic type or method outside the runtime, whose code does not track it"));
        }

        static bool IsTrustedGeneric(INamedTypeSymbol t, ChannelModel model) => t != null && model.IsTrustedApi(t);

        // The first tracked type argument of a generic type outside the runtime, as "T' in 'G<...>".
        static string TrackedArgumentOf(ITypeSymbol t, ChannelModel model)
        {
            for (int guard = 0; t != null && guard < 32; guard++)
            {
                if (t is IArrayTypeSymbol at) { t = at.ElementType; continue; }
                if (!(t is INamedTypeSymbol nt)) return null;
                if (nt.IsGenericType && !IsTrustedGeneric(nt, model))
                    foreach (var a in nt.TypeArguments)
                    {
                        string inner = TrackedIn(a, model);
                        if (inner != null) return inner + "' in '" + nt.ToDisplayString();
                    }
                t = nt.ContainingType;
            }
            return null;
        }

        static string TrackedIn(ITypeSymbol a, ChannelModel model)
        {
            if (a == null) return null;
            if (model.IsTracked(a)) return a.ToDisplayString();
            return TrackedArgumentOf(a, model);
        }

        static void AnalyzeStore(OperationAnalysisContext c, ChannelModel model)
        {
            var owner = c.ContainingSymbol?.ContainingType;
            if (owner != null && model.IsTrustedApi(owner)) return;
            if (c.Operation is ISimpleAssignmentOperation assign)
            {
                var value = OwnershipFlow.Unwrap(assign.Value);
                if (!model.IsTracked(value.Type) && !model.IsTracked(assign.Target.Type)) return;
                string where;
                switch (assign.Target)
                {
                    case IFieldReferenceOperation f:
                        if (f.Field.ContainingType != null && model.IsTrustedApi(f.Field.ContainingType)) return;
                        where = (f.Field.IsStatic ? "static field '" : "field '") + f.Field.Name + "'";
                        break;
                    case IPropertyReferenceOperation p:
                        if (p.Property.ContainingType != null && model.IsTrustedApi(p.Property.ContainingType)) return;
                        where = (p.Property.IsStatic ? "static property '" : "property '") + p.Property.Name + "'";
                        break;
                    case IArrayElementReferenceOperation _:
                        where = "an array element";
                        break;
                    default:
                        return;
                }
                c.ReportDiagnostic(Diagnostic.Create(Rules.StoredInHeap, assign.Syntax.GetLocation(), Describe(value), where));
            }
            else if (c.Operation is IArrayCreationOperation array)
            {
                var element = ((IArrayTypeSymbol)array.Type).ElementType;
                while (element is IArrayTypeSymbol inner) element = inner.ElementType;
                if (!model.IsTracked(element)) return;
                // new Endpoint[] { a, b } passed straight to the runtime (EndpointSet.Select) only lends the endpoints.
                var parent = array.Parent;
                while (parent is IConversionOperation) parent = parent.Parent;
                if (parent is IArgumentOperation arg && arg.Parameter?.ContainingType != null
                    && ChannelModel.IsSingularityNamespace(arg.Parameter.ContainingType.ContainingNamespace)) return;
                c.ReportDiagnostic(Diagnostic.Create(Rules.StoredInHeap, array.Syntax.GetLocation(),
                    "of type '" + element.ToDisplayString() + "'", "an array element"));
            }
        }

        static string Describe(IOperation value)
        {
            switch (value)
            {
                case ILocalReferenceOperation l: return "'" + l.Local.Name + "'";
                case IParameterReferenceOperation p: return "'" + p.Parameter.Name + "'";
                default: return "'" + value.Syntax + "'";
            }
        }

        static void AnalyzeMemberDeclaration(SymbolAnalysisContext c, ChannelModel model)
        {
            var s = c.Symbol;
            if (s.IsImplicitlyDeclared || s.ContainingType == null || model.IsTrustedApi(s.ContainingType)) return;
            var loc = s.Locations.FirstOrDefault();
            if (loc == null || !loc.IsInSource) return;
            ITypeSymbol type = s is IFieldSymbol f ? f.Type : s is IPropertySymbol p ? p.Type : null;
            if (s is IPropertySymbol prop && !IsAuto(prop)) return;
            var element = type;
            while (element is IArrayTypeSymbol a) element = a.ElementType;
            if (!model.IsTracked(element)) return;
            string kind = s.Kind == SymbolKind.Field ? "field" : "auto-property";
            c.ReportDiagnostic(Diagnostic.Create(Rules.StoredInHeap, loc, "of type '" + type.ToDisplayString() + "'",
                (s.IsStatic ? "static " : "") + kind + " '" + s.Name + "'"));
        }

        static bool IsAuto(IPropertySymbol p)
        {
            foreach (var m in p.ContainingType.GetMembers())
                if (m is IFieldSymbol f && SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, p)) return true;
            return false;
        }

        // ---- SING0005: captures, async methods and iterators -------------------------------------------

        static void AnalyzeCapture(OperationAnalysisContext c, ChannelModel model)
        {
            ISymbol variable;
            ITypeSymbol type;
            bool declaration = false;
            switch (c.Operation)
            {
                case ILocalReferenceOperation l: variable = l.Local; type = l.Local.Type; break;
                case IParameterReferenceOperation p: variable = p.Parameter; type = p.Parameter.Type; break;
                case IVariableDeclaratorOperation d: variable = d.Symbol; type = d.Symbol.Type; declaration = true; break;
                default: return;
            }
            if (!model.IsTracked(type)) return;
            IMethodSymbol function = null;
            string functionKind = null;
            for (var p = c.Operation.Parent; p != null; p = p.Parent)
            {
                if (p is IAnonymousFunctionOperation af)
                {
                    function = af.Symbol;
                    functionKind = af.Syntax is AnonymousMethodExpressionSyntax ? "an anonymous method" : "a lambda";
                    break;
                }
                if (p is ILocalFunctionOperation lf) { function = lf.Symbol; functionKind = "a local function"; break; }
            }
            if (function == null) function = c.ContainingSymbol as IMethodSymbol;
            if (function == null) return;
            var name = variable.Name;
            if (!declaration && functionKind != null && !SymbolEqualityComparer.Default.Equals(variable.ContainingSymbol, function))
            {
                c.ReportDiagnostic(Diagnostic.Create(Rules.Captured, c.Operation.Syntax.GetLocation(), name, "captured by " + functionKind));
                return;
            }
            if (function.IsAsync)
                c.ReportDiagnostic(Diagnostic.Create(Rules.Captured, c.Operation.Syntax.GetLocation(), name, "used in async " + Kind(function)));
            else if (model.IsIterator(function))
                c.ReportDiagnostic(Diagnostic.Create(Rules.Captured, c.Operation.Syntax.GetLocation(), name, "used in an iterator"));
        }

        static string Kind(IMethodSymbol m)
            => m.MethodKind == MethodKind.AnonymousFunction ? "lambda" : m.MethodKind == MethodKind.LocalFunction ? "local function" : "method '" + m.Name + "'";
    }
}

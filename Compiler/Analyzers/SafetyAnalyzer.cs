using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Singularity.Analyzers
{
    /// <summary>SING0008 unsafe code, SING0009 mutable statics, SING0010 reflection and interop.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SafetyAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Rules.UnsafeCode, Rules.MutableStatic, Rules.ReflectionOrInterop, Rules.InternalError);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var model = new ChannelModel(start.Compilation.Assembly);
                start.RegisterSyntaxTreeAction(c => Guard(c.ReportDiagnostic, c.Tree.FilePath, null, () => AnalyzeTokens(c)));
                start.RegisterSyntaxNodeAction(c => Guard(c.ReportDiagnostic, "syntax", c.Node.GetLocation(), () => AnalyzePointerSyntax(c)),
                    SyntaxKind.PointerType, SyntaxKind.FunctionPointerType, SyntaxKind.AddressOfExpression,
                    SyntaxKind.PointerIndirectionExpression, SyntaxKind.PointerMemberAccessExpression);
                start.RegisterSymbolAction(c => Guard(c.ReportDiagnostic, c.Symbol.Name, c.Symbol.Locations.FirstOrDefault(), () => AnalyzeStaticMember(c, model)),
                    SymbolKind.Field, SymbolKind.Property, SymbolKind.Event);
                start.RegisterSymbolAction(c => Guard(c.ReportDiagnostic, c.Symbol.Name, c.Symbol.Locations.FirstOrDefault(), () => AnalyzeMethod(c)),
                    SymbolKind.Method);
                start.RegisterOperationAction(c => Guard(c.ReportDiagnostic, c.ContainingSymbol?.Name, c.Operation.Syntax.GetLocation(), () => AnalyzeMemberUse(c)),
                    OperationKind.Invocation, OperationKind.ObjectCreation, OperationKind.MethodReference,
                    OperationKind.PropertyReference, OperationKind.FieldReference, OperationKind.EventReference,
                    OperationKind.DynamicInvocation, OperationKind.DynamicMemberReference, OperationKind.DynamicObjectCreation,
                    OperationKind.DynamicIndexerAccess);
            });
        }

        internal static void Guard(Action<Diagnostic> report, string what, Location location, Action action)
        {
            try { action(); }
            catch (OperationCanceledException) { throw; }
            catch (Exception e)
            {
                try { report(Diagnostic.Create(Rules.InternalError, location ?? Location.None, what ?? "?", e.GetType().Name + ": " + e.Message)); }
                catch (Exception) { }
            }
        }

        static void AnalyzeTokens(SyntaxTreeAnalysisContext c)
        {
            var root = c.Tree.GetRoot(c.CancellationToken);
            foreach (var token in root.DescendantTokens())
            {
                string what = null;
                switch (token.Kind())
                {
                    case SyntaxKind.UnsafeKeyword: what = "'unsafe'"; break;
                    case SyntaxKind.StackAllocKeyword: what = "'stackalloc'"; break;
                    case SyntaxKind.FixedKeyword: what = token.Parent is FixedStatementSyntax ? "'fixed' statement" : "fixed-size buffer"; break;
                }
                if (what != null) c.ReportDiagnostic(Diagnostic.Create(Rules.UnsafeCode, token.GetLocation(), what));
            }
        }

        static void AnalyzePointerSyntax(SyntaxNodeAnalysisContext c)
        {
            string what;
            switch (c.Node.Kind())
            {
                case SyntaxKind.PointerType: what = "pointer type '" + c.Node + "'"; break;
                case SyntaxKind.FunctionPointerType: what = "function pointer type"; break;
                case SyntaxKind.AddressOfExpression: what = "address-of operator"; break;
                case SyntaxKind.PointerIndirectionExpression: what = "pointer indirection"; break;
                default: what = "pointer member access"; break;
            }
            c.ReportDiagnostic(Diagnostic.Create(Rules.UnsafeCode, c.Node.GetLocation(), what));
        }

        static void AnalyzeStaticMember(SymbolAnalysisContext c, ChannelModel model)
        {
            var s = c.Symbol;
            if (!s.IsStatic || s.IsImplicitlyDeclared) return;
            var loc = s.Locations.FirstOrDefault();
            if (loc == null || !loc.IsInSource) return;
            if (s is IFieldSymbol f)
            {
                if (f.IsConst || f.ContainingType?.TypeKind == TypeKind.Enum) return;
                if (!f.IsReadOnly)
                {
                    bool canReadonly = model.IsImmutable(f.Type);
                    var props = ImmutableDictionary<string, string>.Empty.Add("fix", canReadonly ? "readonly" : "none");
                    c.ReportDiagnostic(Diagnostic.Create(Rules.MutableStatic, loc, props, "field", f.Name, ""));
                }
                else if (!model.IsImmutable(f.Type))
                    c.ReportDiagnostic(Diagnostic.Create(Rules.MutableStatic, loc, "field", f.Name, " (its type '" + f.Type.ToDisplayString() + "' is not immutable)"));
            }
            else if (s is IPropertySymbol p)
            {
                if (!IsAutoProperty(p)) return;
                if (p.SetMethod != null && !p.SetMethod.IsInitOnly)
                    c.ReportDiagnostic(Diagnostic.Create(Rules.MutableStatic, loc, "auto-property", p.Name, " (it has a setter)"));
                else if (!model.IsImmutable(p.Type))
                    c.ReportDiagnostic(Diagnostic.Create(Rules.MutableStatic, loc, "auto-property", p.Name, " (its type '" + p.Type.ToDisplayString() + "' is not immutable)"));
            }
            else if (s is IEventSymbol e)
            {
                foreach (var r in e.DeclaringSyntaxReferences)
                    if (r.GetSyntax(c.CancellationToken) is VariableDeclaratorSyntax)
                    {
                        c.ReportDiagnostic(Diagnostic.Create(Rules.MutableStatic, loc, "event", e.Name, ""));
                        return;
                    }
            }
        }

        static bool IsAutoProperty(IPropertySymbol p)
        {
            foreach (var m in p.ContainingType.GetMembers())
                if (m is IFieldSymbol f && SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, p)) return true;
            return false;
        }

        static void AnalyzeMethod(SymbolAnalysisContext c)
        {
            var m = (IMethodSymbol)c.Symbol;
            var loc = m.Locations.FirstOrDefault();
            if (loc == null || !loc.IsInSource) return;
            if (m.IsExtern)
                c.ReportDiagnostic(Diagnostic.Create(Rules.ReflectionOrInterop, loc, "extern method '" + m.Name + "'"));
            foreach (var a in m.GetAttributes())
            {
                var t = a.AttributeClass;
                if (t == null) continue;
                if ((t.Name == "DllImportAttribute" || t.Name == "LibraryImportAttribute" || t.Name == "UnmanagedCallersOnlyAttribute")
                    && ChannelModel.NamespaceName(t.ContainingNamespace) == "System.Runtime.InteropServices")
                {
                    var at = a.ApplicationSyntaxReference?.GetSyntax(c.CancellationToken).GetLocation() ?? loc;
                    c.ReportDiagnostic(Diagnostic.Create(Rules.ReflectionOrInterop, at, "[" + t.Name.Substring(0, t.Name.Length - "Attribute".Length) + "] on '" + m.Name + "'"));
                }
            }
        }

        static void AnalyzeMemberUse(OperationAnalysisContext c)
        {
            var op = c.Operation;
            switch (op.Kind)
            {
                case OperationKind.DynamicInvocation: case OperationKind.DynamicMemberReference:
                case OperationKind.DynamicObjectCreation: case OperationKind.DynamicIndexerAccess:
                    c.ReportDiagnostic(Diagnostic.Create(Rules.ReflectionOrInterop, op.Syntax.GetLocation(), "'dynamic'"));
                    return;
            }
            ISymbol member;
            switch (op)
            {
                case IInvocationOperation i: member = i.TargetMethod; break;
                case IObjectCreationOperation o: member = o.Constructor; break;
                case IMethodReferenceOperation mr: member = mr.Method; break;
                case IMemberReferenceOperation r: member = r.Member; break;
                default: return;
            }
            if (member == null) return;
            var type = member.ContainingType;
            if (type == null) return;
            string ns = ChannelModel.NamespaceName(type.ContainingNamespace);
            string what = null;
            var top = type;
            while (top.ContainingType != null) top = top.ContainingType;
            if (ns == "System.Runtime.CompilerServices" && top.Name == "Unsafe")
            {
                c.ReportDiagnostic(Diagnostic.Create(Rules.UnsafeCode, op.Syntax.GetLocation(), "System.Runtime.CompilerServices.Unsafe." + member.Name));
                return;
            }
            if ((ns == "System.Reflection" || ns.StartsWith("System.Reflection.", StringComparison.Ordinal))
                && !(member is IPropertySymbol named && (named.Name == "Name" || named.Name == "FullName" || named.Name == "Namespace")))
                what = "reflection ('" + top.Name + "." + member.Name + "')";
            else if (ns == "System" && top.Name == "Activator")
                what = "reflection ('Activator." + member.Name + "')";
            else if (ns == "System" && top.Name == "Type" && member is IMethodSymbol tm && (tm.IsStatic && tm.Name == "GetType" || tm.Name == "InvokeMember"))
                what = "reflection ('Type." + member.Name + "')";
            // LayoutKind only names a layout for [StructLayout]; SING0011 judges explicit layouts.
            else if (ns == "System.Runtime.InteropServices" && !top.Name.EndsWith("Attribute", StringComparison.Ordinal) && top.Name != "LayoutKind")
                what = "interop ('" + top.Name + "." + member.Name + "')";
            else if (member is IMethodSymbol rm && rm.ReturnType != null && IsReflectionType(rm.ReturnType))
                what = "reflection ('" + top.Name + "." + member.Name + "' returns " + rm.ReturnType.ToDisplayString() + ")";
            else if (member is IPropertySymbol rp && IsReflectionType(rp.Type) && !(rp.Name == "Name" || rp.Name == "FullName" || rp.Name == "Namespace"))
                what = "reflection ('" + top.Name + "." + member.Name + "')";
            if (what != null) c.ReportDiagnostic(Diagnostic.Create(Rules.ReflectionOrInterop, op.Syntax.GetLocation(), what));
        }

        static bool IsReflectionType(ITypeSymbol t)
        {
            while (t is IArrayTypeSymbol a) t = a.ElementType;
            if (t == null) return false;
            var ns = ChannelModel.NamespaceName(t.ContainingNamespace);
            return ns == "System.Reflection" || ns.StartsWith("System.Reflection.", StringComparison.Ordinal);
        }
    }
}

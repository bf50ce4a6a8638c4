using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Singularity.Analyzers
{
    /// <summary>
    /// SING0011: a SIP type with explicit layout whose fields overlap an object reference (a forged
    /// reference) or a value type of another assembly (its private fields rewritten behind its
    /// back), puts a reference at an offset that is not a multiple of 8, or has a field of a type
    /// parameter (size unknown). The layout kind is read as a value, so <c>(LayoutKind)2</c> is
    /// caught as surely as <c>LayoutKind.Explicit</c>. The verifier re-checks the IL (SV0112).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class LayoutAnalyzer : DiagnosticAnalyzer
    {
        const int ExplicitKind = 2;   // System.Runtime.InteropServices.LayoutKind.Explicit

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Rules.ExplicitLayout, Rules.InternalError);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSymbolAction(c => SafetyAnalyzer.Guard(c.ReportDiagnostic, c.Symbol.Name, c.Symbol.Locations.FirstOrDefault(), () => Analyze(c)), SymbolKind.NamedType);
        }

        static bool IsExplicit(INamedTypeSymbol t)
        {
            foreach (var a in t.GetAttributes())
            {
                if (a.AttributeClass?.Name != "StructLayoutAttribute" || a.ConstructorArguments.Length == 0) continue;
                var v = a.ConstructorArguments[0].Value;
                if (v != null && Convert.ToInt64(v) == ExplicitKind) return true;
            }
            return false;
        }

        static int? Offset(IFieldSymbol f)
        {
            foreach (var a in f.GetAttributes())
                if (a.AttributeClass?.Name == "FieldOffsetAttribute" && a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is int o) return o;
            return null;
        }

        static void Analyze(SymbolAnalysisContext c)
        {
            var t = (INamedTypeSymbol)c.Symbol;
            if (!IsExplicit(t)) return;
            var own = c.Compilation.Assembly;
            var fields = new List<(IFieldSymbol F, long Off, long Size, bool Refs, bool Foreign)>();
            foreach (var f in t.GetMembers().OfType<IFieldSymbol>())
            {
                if (f.IsStatic || f.IsConst) continue;
                var loc = f.Locations.FirstOrDefault() ?? Location.None;
                if (f.Type is ITypeParameterSymbol || ContainsTypeParameter(f.Type))
                {
                    c.ReportDiagnostic(Diagnostic.Create(Rules.ExplicitLayout, loc, t.Name, "field '" + f.Name + "' has a generic type, whose size and contents are not known"));
                    continue;
                }
                var off = Offset(f);
                var size = Layout(f.Type, 0)?.Size;
                if (off == null || size == null) continue;   // the compiler reports a missing FieldOffset
                bool refs = !f.Type.IsUnmanagedType && !(f.Type is IPointerTypeSymbol);
                if (refs && off.Value % 8 != 0)
                    c.ReportDiagnostic(Diagnostic.Create(Rules.ExplicitLayout, loc, t.Name, "field '" + f.Name + "' holds an object reference at offset " + off.Value + ", not a multiple of 8"));
                fields.Add((f, off.Value, size.Value, refs, ContainsForeign(f.Type, own, 0)));
            }
            for (int i = 0; i < fields.Count; i++)
                for (int j = i + 1; j < fields.Count; j++)
                {
                    var a = fields[i]; var b = fields[j];
                    if (a.Off >= b.Off + b.Size || b.Off >= a.Off + a.Size) continue;
                    string why = a.Refs || b.Refs ? "holds an object reference (overlapping it would forge references)"
                        : a.Foreign || b.Foreign ? "is or contains a value type of another assembly (overlapping it would rewrite that type's private fields)" : null;
                    if (why == null) continue;
                    c.ReportDiagnostic(Diagnostic.Create(Rules.ExplicitLayout, b.F.Locations.FirstOrDefault() ?? Location.None, t.Name,
                        "fields '" + a.F.Name + "' and '" + b.F.Name + "' overlap, and one " + why));
                }
        }

        static bool ContainsTypeParameter(ITypeSymbol t) => t switch
        {
            ITypeParameterSymbol => true,
            IArrayTypeSymbol a => ContainsTypeParameter(a.ElementType),
            INamedTypeSymbol n => n.TypeArguments.Any(ContainsTypeParameter),
            _ => false,
        };

        static bool ContainsForeign(ITypeSymbol t, IAssemblySymbol own, int depth)
        {
            if (depth > 64 || !t.IsValueType || t.SpecialType != SpecialType.None || t.TypeKind == TypeKind.Enum) return false;
            if (!SymbolEqualityComparer.Default.Equals(t.ContainingAssembly, own)) return true;
            return t.GetMembers().OfType<IFieldSymbol>().Any(f => !f.IsStatic && ContainsForeign(f.Type, own, depth + 1));
        }

        /// <summary>Natural layout (size, alignment), as the verifier computes it; null when unknown.</summary>
        static (long Size, int Align)? Layout(ITypeSymbol t, int depth)
        {
            if (depth > 64) return null;
            switch (t.SpecialType)
            {
                case SpecialType.System_Boolean: case SpecialType.System_Byte: case SpecialType.System_SByte: return (1, 1);
                case SpecialType.System_Char: case SpecialType.System_Int16: case SpecialType.System_UInt16: return (2, 2);
                case SpecialType.System_Int32: case SpecialType.System_UInt32: case SpecialType.System_Single: return (4, 4);
                case SpecialType.System_Int64: case SpecialType.System_UInt64: case SpecialType.System_Double: case SpecialType.System_IntPtr: case SpecialType.System_UIntPtr: return (8, 8);
            }
            if (t is ITypeParameterSymbol) return null;
            if (!t.IsValueType || t is IPointerTypeSymbol) return (8, 8);
            if (t is INamedTypeSymbol e && e.TypeKind == TypeKind.Enum) return e.EnumUnderlyingType == null ? null : Layout(e.EnumUnderlyingType, depth + 1);
            bool exp = t is INamedTypeSymbol nt && IsExplicit(nt);
            long size = 0; int align = 1;
            foreach (var f in t.GetMembers().OfType<IFieldSymbol>())
            {
                if (f.IsStatic || f.IsConst) continue;
                var fl = Layout(f.Type, depth + 1);
                if (fl == null) return null;
                align = Math.Max(align, fl.Value.Align);
                if (exp) size = Math.Max(size, (Offset(f) ?? 0) + fl.Value.Size);
                else size = (size + fl.Value.Align - 1) / fl.Value.Align * fl.Value.Align + fl.Value.Size;
            }
            size = (size + align - 1) / align * align;
            return (Math.Max(size, 1), align);
        }
    }
}

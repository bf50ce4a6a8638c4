using System.Text;
using Mono.Cecil;

namespace Singularity.Tools.TrustedSurface;

/// <summary>
/// The documentation IDs the C# compiler writes into its XML documentation file
/// (<c>T:</c>, <c>M:</c>, <c>F:</c>, <c>P:</c>, <c>E:</c>; ECMA-334 annex D), computed from Cecil
/// definitions so that a member found in the assembly can be matched with its doc comment.
/// </summary>
public static class DocIds
{
    public static string Of(IMemberDefinition m) => m switch
    {
        TypeDefinition t => "T:" + TypeName(t),
        MethodDefinition md => "M:" + Method(md),
        FieldDefinition f => "F:" + TypeName(f.DeclaringType) + "." + f.Name,
        PropertyDefinition p => "P:" + TypeName(p.DeclaringType) + "." + Escape(p.Name) + Parameters(p.Parameters),
        EventDefinition e => "E:" + TypeName(e.DeclaringType) + "." + Escape(e.Name),
        _ => throw new ArgumentException("not a documentable member: " + m),
    };

    /// <summary>A type definition's name: namespace, enclosing types joined with '.', generic arity as `N.</summary>
    public static string TypeName(TypeDefinition t) =>
        t.DeclaringType != null ? TypeName(t.DeclaringType) + "." + t.Name : string.IsNullOrEmpty(t.Namespace) ? t.Name : t.Namespace + "." + t.Name;

    private static string Method(MethodDefinition m)
    {
        var sb = new StringBuilder(TypeName(m.DeclaringType)).Append('.');
        sb.Append(m.IsConstructor ? (m.IsStatic ? "#cctor" : "#ctor") : Escape(m.Name));
        if (m.HasGenericParameters) sb.Append("``").Append(m.GenericParameters.Count);
        sb.Append(Parameters(m.Parameters));
        if (m.Name is "op_Implicit" or "op_Explicit") sb.Append('~').Append(Ref(m.ReturnType));
        return sb.ToString();
    }

    private static string Parameters(IList<ParameterDefinition> ps) =>
        ps.Count == 0 ? "" : "(" + string.Join(",", ps.Select(p => Ref(p.ParameterType))) + ")";

    // Explicit interface implementations are named like System.IDisposable.Dispose: '.' becomes '#'.
    private static string Escape(string name) => name.Replace('.', '#');

    /// <summary>A type as it appears in a signature.</summary>
    public static string Ref(TypeReference t)
    {
        switch (t)
        {
            case RequiredModifierType r: return Ref(r.ElementType);
            case OptionalModifierType o: return Ref(o.ElementType);
            case PinnedType p: return Ref(p.ElementType);
            case ByReferenceType b: return Ref(b.ElementType) + "@";
            case PointerType p: return Ref(p.ElementType) + "*";
            case ArrayType a:
                return Ref(a.ElementType) + (a.IsVector ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", a.Rank)) + "]");
            case GenericParameter gp:
                return (gp.Type == GenericParameterType.Method ? "``" : "`") + gp.Position;
            case GenericInstanceType g:
            {
                // Outer types' arguments come first; each level shows its own in braces.
                var def = g.ElementType;
                var levels = new List<TypeReference>();
                for (var c = def; c != null; c = c.DeclaringType) levels.Insert(0, c);
                var sb = new StringBuilder();
                int used = 0;
                foreach (var level in levels)
                {
                    if (sb.Length > 0) sb.Append('.');
                    else if (!string.IsNullOrEmpty(level.Namespace)) sb.Append(level.Namespace).Append('.');
                    string name = level.Name;
                    int tick = name.IndexOf('`');
                    if (tick < 0) { sb.Append(name); continue; }
                    int arity = int.Parse(name[(tick + 1)..]);
                    sb.Append(name[..tick]).Append('{')
                      .Append(string.Join(",", g.GenericArguments.Skip(used).Take(arity).Select(Ref))).Append('}');
                    used += arity;
                }
                return sb.ToString();
            }
            case FunctionPointerType: return "=FUNC:" + t.FullName;
            default:
                return t.DeclaringType != null ? Ref(t.DeclaringType) + "." + t.Name : string.IsNullOrEmpty(t.Namespace) ? t.Name : t.Namespace + "." + t.Name;
        }
    }
}

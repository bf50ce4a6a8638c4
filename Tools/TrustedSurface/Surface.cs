using Mono.Cecil;
using Singularity.Verifier;

namespace Singularity.Tools.TrustedSurface;

/// <summary>One type or member SIP code can reach, with its justification (null when missing).</summary>
public sealed record SurfaceEntry(string Assembly, string TypeId, string Id, string Display, string Kind, string Access, string Safety);

/// <summary>
/// What SIP code can reach of a trusted assembly: every type it can name and every member it can
/// call, read, write, override or derive from. Reachable means accessible from another assembly
/// (public; protected when the type can be derived from by a SIP) and not refused by the
/// verifier's SIP policy (<see cref="SipPolicy"/>: pointer signatures, reflection and interop
/// namespaces, trusted-only types and members). Compiler-generated members and members of
/// unreachable types are not reachable.
/// </summary>
public static class Surface
{
    public static List<SurfaceEntry> Reachable(AssemblyDefinition assembly, DocComments docs)
    {
        var list = new List<SurfaceEntry>();
        string asm = assembly.Name.Name;
        foreach (var t in AllTypes(assembly.MainModule).Where(IsReachableType).OrderBy(DocIds.TypeName, StringComparer.Ordinal))
        {
            string typeId = DocIds.Of(t);
            list.Add(new SurfaceEntry(asm, typeId, typeId, Display.Type(t), Kind(t), Access(t), docs.Safety(typeId)));
            var members = new List<SurfaceEntry>();
            foreach (var f in t.Fields)
            {
                if (IsCompilerGenerated(f) || !Visible(f.Attributes & FieldAttributes.FieldAccessMask, t) || SipPolicy.IsRefused(f)) continue;
                if (t.IsEnum && f.IsSpecialName) continue;      // value__
                string id = DocIds.Of(f);
                members.Add(new SurfaceEntry(asm, typeId, id, Display.Field(f), f.IsLiteral ? "const" : f.IsStatic ? "static field" : "field", FieldAccess(f), docs.Safety(id)));
            }
            foreach (var p in t.Properties)
            {
                var accessors = new[] { ("get", p.GetMethod), ("set", p.SetMethod) }
                    .Where(a => a.Item2 != null && MethodReachable(a.Item2, t)).ToList();
                if (accessors.Count == 0 || SipPolicy.IsRefused(p)) continue;
                string id = DocIds.Of(p);
                var first = accessors[0].Item2;
                string kind = (first.IsStatic ? "static " : "") + "property { " + string.Join(" ", accessors.Select(a => a.Item1 + ";")) + " }";
                members.Add(new SurfaceEntry(asm, typeId, id, Display.Property(p), kind, MethodAccess(first), docs.Safety(id)));
            }
            foreach (var e in t.Events)
            {
                if (e.AddMethod == null || !MethodReachable(e.AddMethod, t)) continue;
                string id = DocIds.Of(e);
                members.Add(new SurfaceEntry(asm, typeId, id, e.Name, "event", MethodAccess(e.AddMethod), docs.Safety(id)));
            }
            foreach (var m in t.Methods)
            {
                if (m.IsGetter || m.IsSetter || m.IsAddOn || m.IsRemoveOn || m.IsFire) continue;
                if (m.IsConstructor && m.IsStatic) continue;
                if (!MethodReachable(m, t)) continue;
                // A delegate's members are the runtime's (Invoke and its constructor): its type's row covers them.
                if (IsDelegate(t) && (m.IsRuntime || m.IsConstructor)) continue;
                string id = DocIds.Of(m);
                members.Add(new SurfaceEntry(asm, typeId, id, Display.Method(m), MethodKind(m), MethodAccess(m), docs.Safety(id)));
            }
            // Members without their own justification take the type's <allmembers>, marked as such.
            string shared = docs.AllMembers(typeId);
            if (shared != null)
                for (int i = 0; i < members.Count; i++)
                    if (members[i].Safety == null) members[i] = members[i] with { Safety = "(all members) " + shared };
            list.AddRange(members.OrderBy(x => x.Display, StringComparer.Ordinal).ThenBy(x => x.Id, StringComparer.Ordinal));
        }
        return list;
    }

    public static IEnumerable<TypeDefinition> AllTypes(ModuleDefinition module)
    {
        var stack = new Stack<TypeDefinition>(module.Types);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            yield return t;
            foreach (var n in t.NestedTypes) stack.Push(n);
        }
    }

    public static bool IsReachableType(TypeDefinition t) =>
        t.Name != "<Module>" && !IsCompilerGenerated(t) && Visible(t) && !SipPolicy.IsForbiddenType(t) && !SipPolicy.IsTrustedOnlyType(t);

    private static bool MethodReachable(MethodDefinition m, TypeDefinition t) =>
        !IsCompilerGenerated(m) && Visible((FieldAttributes)0, t, m.Attributes & MethodAttributes.MemberAccessMask) && !SipPolicy.IsRefused(m);

    // Type visibility from another assembly: public, or nested public/protected in a visible type
    // (protected only when a SIP can derive from the enclosing type).
    private static bool Visible(TypeDefinition t)
    {
        if (t.DeclaringType == null) return t.IsPublic;
        if (!Visible(t.DeclaringType)) return false;
        return t.IsNestedPublic || ((t.IsNestedFamily || t.IsNestedFamilyOrAssembly) && Derivable(t.DeclaringType));
    }

    /// <summary>Can a SIP declare a class deriving from <paramref name="t"/> (so that its protected members are reachable)?</summary>
    public static bool Derivable(TypeDefinition t) =>
        t.IsClass && !t.IsValueType && !t.IsInterface && !t.IsSealed && Visible(t)
        && t.Methods.Any(m => m.IsConstructor && !m.IsStatic && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly));

    private static bool Visible(FieldAttributes access, TypeDefinition t) => access switch
    {
        FieldAttributes.Public => true,
        FieldAttributes.Family or FieldAttributes.FamORAssem => Derivable(t),
        _ => false,
    };

    private static bool Visible(FieldAttributes _, TypeDefinition t, MethodAttributes access) => access switch
    {
        MethodAttributes.Public => true,
        MethodAttributes.Family or MethodAttributes.FamORAssem => Derivable(t),
        _ => false,
    };

    private static bool IsCompilerGenerated(ICustomAttributeProvider p) =>
        Singularity.Verifier.TypeSystem.HasAttribute(p, "System.Runtime.CompilerServices.CompilerGeneratedAttribute")
        || (p is IMemberDefinition m && m.Name.Contains('<'));

    private static bool IsDelegate(TypeDefinition t) => t.BaseType?.FullName is "System.MulticastDelegate" or "System.Delegate" && t.FullName is not "System.MulticastDelegate";

    private static string Kind(TypeDefinition t) =>
        t.IsInterface ? "interface" : t.IsEnum ? "enum" : t.IsValueType ? "struct" : IsDelegate(t) ? "delegate"
        : t.IsAbstract && t.IsSealed ? "static class" : t.IsAbstract ? "abstract class" : t.IsSealed ? "sealed class" : "class";

    private static string Access(TypeDefinition t) => t.IsNestedFamily || t.IsNestedFamilyOrAssembly ? "protected" : "public";

    private static string FieldAccess(FieldDefinition f) => f.IsPublic ? "public" : "protected";

    private static string MethodAccess(MethodDefinition m) => m.IsPublic ? "public" : "protected";

    private static string MethodKind(MethodDefinition m) =>
        m.IsConstructor ? "constructor"
        : m.IsSpecialName && m.Name.StartsWith("op_", StringComparison.Ordinal) ? "operator"
        : (m.IsStatic ? "static " : "") + (m.IsAbstract ? "abstract " : m.IsVirtual && !m.IsFinal && !m.DeclaringType.IsSealed ? "virtual " : "") + "method";
}

/// <summary>Short C#-like names for the table.</summary>
public static class Display
{
    public static string Type(TypeReference t)
    {
        switch (t)
        {
            case RequiredModifierType r: return Type(r.ElementType);
            case OptionalModifierType o: return Type(o.ElementType);
            case ByReferenceType b: return Type(b.ElementType) + "&";
            case PointerType p: return Type(p.ElementType) + "*";
            case ArrayType a: return Type(a.ElementType) + "[" + new string(',', a.Rank - 1) + "]";
            case GenericParameter gp: return gp.Name;
            case GenericInstanceType g: return Strip(g.ElementType.Name) + "<" + string.Join(", ", g.GenericArguments.Select(Type)) + ">";
            case TypeDefinition d when d.HasGenericParameters:
                return (d.DeclaringType != null ? Type(d.DeclaringType) + "." : "") + Strip(d.Name) + "<" + string.Join(", ", d.GenericParameters.Where(p => p.Position >= OuterArity(d)).Select(p => p.Name)) + ">";
            default:
                return t.DeclaringType != null ? Type(t.DeclaringType) + "." + t.Name : t.Name;
        }
    }

    private static int OuterArity(TypeDefinition d) => d.DeclaringType?.GenericParameters.Count ?? 0;

    private static string Strip(string name) => name.IndexOf('`') is int i and >= 0 ? name[..i] : name;

    private static string Params(IEnumerable<ParameterDefinition> ps) =>
        string.Join(", ", ps.Select(p => Prefix(p) + Type(p.ParameterType is ByReferenceType b ? b.ElementType : p.ParameterType)));

    private static string Prefix(ParameterDefinition p) =>
        p.ParameterType is ByReferenceType ? (p.IsOut ? "out " : p.IsIn ? "in " : "ref ") : "";

    public static string Method(MethodDefinition m)
    {
        string name = m.IsConstructor ? Strip(m.DeclaringType.Name) : m.Name;
        if (m.HasGenericParameters) name += "<" + string.Join(", ", m.GenericParameters.Select(p => p.Name)) + ">";
        string s = name + "(" + Params(m.Parameters) + ")";
        if (m.Name is "op_Implicit" or "op_Explicit") s += " : " + Type(m.ReturnType);
        return s;
    }

    public static string Field(FieldDefinition f) => f.Name;

    public static string Property(PropertyDefinition p) => p.Parameters.Count == 0 ? p.Name : "this[" + Params(p.Parameters) + "]";
}

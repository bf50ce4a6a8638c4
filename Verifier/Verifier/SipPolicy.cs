using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>
/// What SIP code may not use of the assemblies it references, beyond ordinary accessibility:
/// pointer types (SV0101), reflection and interop namespaces (SV0108) and the public APIs that
/// only the trusted runtime may call (SV0110). The verifier applies it to every use in a SIP;
/// the trusted-surface tool (Tools/TrustedSurface) applies the same rules to list what of the
/// core library and the runtime a SIP can reach, so the audited table and the verifier agree.
/// </summary>
public static class SipPolicy
{
    /// <summary>Namespaces whose types SIPs may not use (attribute types excepted: they only carry data).</summary>
    public static IReadOnlyList<string> ForbiddenNamespaces { get; } = new[] { "System.Reflection", "System.Runtime.InteropServices", "System.Runtime.Loader", "System.Linq.Expressions" };

    /// <summary>Public types of the trusted assemblies that only the trusted runtime may use (besides every <c>Internal.*</c> namespace).</summary>
    public static IReadOnlyList<string> TrustedOnlyTypes { get; } = new[] { "System.Buffer", "System.Runtime.CompilerServices.Unsafe", "System.Runtime.RuntimeImports", "System.Runtime.TypeCast", "System.Runtime.RuntimeExports", "System.Activator", "System.Type", "System.RuntimeType", "System.Runtime.InteropServices.Marshal", "System.Runtime.InteropServices.GCHandle", "System.Runtime.InteropServices.MemoryMarshal" };

    /// <summary>The namespace a type lives in (for a nested type, its outermost type's).</summary>
    public static string NamespaceOf(TypeDefinition td)
    {
        var o = td;
        while (o.DeclaringType != null) o = o.DeclaringType;
        return o.Namespace ?? "";
    }

    /// <summary>SV0108: a type of a reflection, interop or code-generation namespace that is not an attribute.</summary>
    public static bool IsForbiddenType(TypeDefinition td)
    {
        string ns = NamespaceOf(td);
        return ForbiddenNamespaces.Any(f => ns == f || ns.StartsWith(f + ".", StringComparison.Ordinal))
            && !TypeSystem.HasAttribute(td, "System.AttributeUsageAttribute") && td.BaseType?.Name != "Attribute";
    }

    /// <summary>SV0110: a public type of the trusted assemblies that only the trusted runtime may use.</summary>
    public static bool IsTrustedOnlyType(TypeDefinition td)
    {
        string ns = NamespaceOf(td);
        return TrustedOnlyTypes.Contains(TypeKey(td)) || ns == "Internal" || ns.StartsWith("Internal.", StringComparison.Ordinal);
    }

    /// <summary>SV0110 for single members: <c>RuntimeHelpers</c> other than <c>InitializeArray</c>.</summary>
    public static bool IsTrustedOnlyMember(IMemberDefinition m) =>
        m.DeclaringType != null && TypeKey(m.DeclaringType) == "System.Runtime.CompilerServices.RuntimeHelpers" && m.Name != "InitializeArray";

    /// <summary>SV0101: a pointer or function-pointer type anywhere in <paramref name="t"/> (element types, generic arguments).</summary>
    public static bool ContainsPointer(TypeReference t)
    {
        int guard = 0;
        while (t != null && guard++ < 100)
        {
            switch (t)
            {
                case PointerType or FunctionPointerType: return true;
                case GenericInstanceType g: return g.GenericArguments.Any(ContainsPointer);
                case TypeSpecification ts: t = ts.ElementType; continue;
                default: return false;
            }
        }
        return false;
    }

    /// <summary>Whether using <paramref name="m"/> from SIP code is refused whatever its accessibility (SV0101, SV0108, SV0110).</summary>
    public static bool IsRefused(IMemberDefinition m)
    {
        var dt = m.DeclaringType;
        if (dt != null && (IsForbiddenType(dt) || IsTrustedOnlyType(dt))) return true;
        if (IsTrustedOnlyMember(m)) return true;
        return m switch
        {
            MethodDefinition md => ContainsPointer(md.ReturnType) || md.Parameters.Any(p => ContainsPointer(p.ParameterType)),
            FieldDefinition fd => ContainsPointer(fd.FieldType),
            PropertyDefinition pd => ContainsPointer(pd.PropertyType) || pd.Parameters.Any(p => ContainsPointer(p.ParameterType)),
            _ => false,
        };
    }

    // The verifier's type key for a definition: Namespace.Name, nested types as Outer/Inner.
    private static string TypeKey(TypeDefinition t) =>
        t.DeclaringType != null ? TypeKey(t.DeclaringType) + "/" + t.Name : string.IsNullOrEmpty(t.Namespace) ? t.Name : t.Namespace + "." + t.Name;
}

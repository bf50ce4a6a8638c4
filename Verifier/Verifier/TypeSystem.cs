using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>
/// Type identity, resolution, generic substitution and assignability over Cecil references.
/// Types are compared by a structural key (generic parameters by owner kind and position), so
/// references from different modules to the same type compare equal.
/// </summary>
public sealed class TypeSystem
{
    private readonly Dictionary<TypeReference, TypeDefinition> _resolved = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<TypeReference, string> _keys = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(string, string), bool> _assignable = new();
    private readonly Dictionary<MemberReference, IMemberDefinition> _members = new(ReferenceEqualityComparer.Instance);
    public ModuleDefinition Module { get; }
    public TypeReference Object { get; }
    public TypeReference String { get; }
    public TypeReference Int32 { get; }

    public TypeSystem(ModuleDefinition module)
    {
        Module = module;
        IMetadataScope cor = module.Assembly?.Name.Name == CecilCoreLibrary.Name ? module : module.AssemblyReferences.FirstOrDefault(r => r.Name == CecilCoreLibrary.Name) ?? (IMetadataScope)module;
        Object = new TypeReference("System", "Object", module, cor);
        String = new TypeReference("System", "String", module, cor);
        Int32 = new TypeReference("System", "Int32", module, cor) { IsValueType = true };
    }

    // ----- resolution -------------------------------------------------------------------------

    public TypeDefinition Resolve(TypeReference t)
    {
        t = Strip(t);
        if (t is GenericParameter || t is ArrayType || t is ByReferenceType || t is PointerType || t is FunctionPointerType) return null;
        if (t is GenericInstanceType git) t = git.ElementType;
        if (_resolved.TryGetValue(t, out var d)) return d;
        try { d = t.Resolve(); }
        catch (AssemblyResolutionException e) { throw new UnusableInputException(Codes.UnresolvedReference, $"cannot resolve assembly '{e.AssemblyReference.FullName}' (needed for {t.FullName}); pass its directory with -r"); }
        catch (Exception e) when (e is not UnusableInputException) { throw new UnusableInputException(Codes.UnresolvedReference, $"cannot resolve type {SafeName(t)}: {e.Message}"); }
        if (d == null) throw new UnusableInputException(Codes.UnresolvedReference, $"cannot resolve type {SafeName(t)} in {t.Scope?.Name}");
        _resolved[t] = d;
        return d;
    }

    public MethodDefinition Resolve(MethodReference m)
    {
        if (_members.TryGetValue(m, out var d)) return (MethodDefinition)d;
        MethodDefinition md;
        try { Resolve(m.DeclaringType); md = m.Resolve(); }
        catch (UnusableInputException) { throw; }
        catch (Exception e) { throw new UnusableInputException(Codes.UnresolvedReference, $"cannot resolve method {SafeName(m)}: {e.Message}"); }
        if (md == null) throw new UnusableInputException(Codes.UnresolvedReference, $"cannot resolve method {SafeName(m)} (no such member in {m.DeclaringType?.Scope?.Name})");
        _members[m] = md;
        return md;
    }

    public FieldDefinition Resolve(FieldReference f)
    {
        if (_members.TryGetValue(f, out var d)) return (FieldDefinition)d;
        FieldDefinition fd;
        try { Resolve(f.DeclaringType); fd = f.Resolve(); }
        catch (UnusableInputException) { throw; }
        catch (Exception e) { throw new UnusableInputException(Codes.UnresolvedReference, $"cannot resolve field {SafeName(f)}: {e.Message}"); }
        if (fd == null) throw new UnusableInputException(Codes.UnresolvedReference, $"cannot resolve field {SafeName(f)} (no such member in {f.DeclaringType?.Scope?.Name})");
        _members[f] = fd;
        return fd;
    }

    public static string SafeName(MemberReference m)
    {
        try { return m.FullName; } catch { return m.Name; }
    }

    // ----- shape ------------------------------------------------------------------------------

    public static TypeReference Strip(TypeReference t)
    {
        while (true)
        {
            switch (t)
            {
                case RequiredModifierType r: t = r.ElementType; continue;
                case OptionalModifierType o: t = o.ElementType; continue;
                case PinnedType p: t = p.ElementType; continue;
                case SentinelType s: t = s.ElementType; continue;
                default: return t;
            }
        }
    }

    public static bool HasModReq(TypeReference t, string fullName)
    {
        while (t is IModifierType m)
        {
            if (t is RequiredModifierType && m.ModifierType.FullName == fullName) return true;
            t = m.ElementType;
        }
        return false;
    }

    public string Key(TypeReference t)
    {
        if (t == null) return "<null>";
        if (_keys.TryGetValue(t, out var k)) return k;
        var s = Strip(t);
        k = s switch
        {
            GenericParameter gp => (gp.Type == GenericParameterType.Method ? "!!" : "!") + gp.Position,
            ByReferenceType br => Key(br.ElementType) + "&",
            PointerType pt => Key(pt.ElementType) + "*",
            ArrayType at => Key(at.ElementType) + (at.IsVector ? "[]" : "[" + new string(',', at.Rank - 1) + "]"),
            GenericInstanceType git => Key(git.ElementType) + "<" + string.Join(",", git.GenericArguments.Select(Key)) + ">",
            FunctionPointerType => "method*",
            _ => s.DeclaringType != null ? Key(s.DeclaringType) + "/" + s.Name : (string.IsNullOrEmpty(s.Namespace) ? s.Name : s.Namespace + "." + s.Name),
        };
        _keys[t] = k;
        return k;
    }

    public bool Same(TypeReference a, TypeReference b) => ReferenceEquals(a, b) || Key(a) == Key(b);

    public bool IsValueType(TypeReference t)
    {
        t = Strip(t);
        switch (t)
        {
            case GenericParameter gp: return gp.HasNotNullableValueTypeConstraint;
            case ArrayType or ByReferenceType or PointerType or FunctionPointerType: return false;
        }
        if (t.IsPrimitive) return true;
        var d = Resolve(t);
        return d.IsValueType;
    }

    /// <summary>A generic parameter without the struct constraint: could be either (boxing rules apply).</summary>
    public static bool IsGenericParam(TypeReference t) => Strip(t) is GenericParameter;

    public bool IsEnum(TypeReference t, out TypeReference underlying)
    {
        underlying = null;
        t = Strip(t);
        if (t is GenericParameter || t is ArrayType || t is ByReferenceType || t is PointerType || t is FunctionPointerType || t.IsPrimitive) return false;
        var d = Resolve(t);
        if (!d.IsEnum) return false;
        underlying = d.Fields.FirstOrDefault(f => !f.IsStatic)?.FieldType ?? Int32;
        return true;
    }

    public bool IsDelegate(TypeReference t)
    {
        t = Strip(t);
        if (t is not (TypeDefinition or GenericInstanceType) && t.GetType() != typeof(TypeReference)) return false;
        var d = Resolve(t);
        return d?.BaseType != null && Key(d.BaseType) == "System.MulticastDelegate";
    }

    // ----- generics ---------------------------------------------------------------------------

    /// <summary>Replaces the type's and method's generic parameters in <paramref name="t"/> with the instantiation's arguments.</summary>
    public static TypeReference Subst(TypeReference t, IGenericInstance typeArgs, IGenericInstance methodArgs)
    {
        if (t == null || (typeArgs == null && methodArgs == null)) return t;
        switch (t)
        {
            case GenericParameter gp:
                if (gp.Type == GenericParameterType.Type && typeArgs != null && gp.Position < typeArgs.GenericArguments.Count) return typeArgs.GenericArguments[gp.Position];
                if (gp.Type == GenericParameterType.Method && methodArgs != null && gp.Position < methodArgs.GenericArguments.Count) return methodArgs.GenericArguments[gp.Position];
                return gp;
            case ByReferenceType br: { var e = Subst(br.ElementType, typeArgs, methodArgs); return ReferenceEquals(e, br.ElementType) ? t : new ByReferenceType(e); }
            case PointerType pt: { var e = Subst(pt.ElementType, typeArgs, methodArgs); return ReferenceEquals(e, pt.ElementType) ? t : new PointerType(e); }
            case ArrayType at: { var e = Subst(at.ElementType, typeArgs, methodArgs); if (ReferenceEquals(e, at.ElementType)) return t; return at.IsVector ? new ArrayType(e) : new ArrayType(e, at.Rank); }
            case RequiredModifierType r: { var e = Subst(r.ElementType, typeArgs, methodArgs); return ReferenceEquals(e, r.ElementType) ? t : new RequiredModifierType(r.ModifierType, e); }
            case OptionalModifierType o: { var e = Subst(o.ElementType, typeArgs, methodArgs); return ReferenceEquals(e, o.ElementType) ? t : new OptionalModifierType(o.ModifierType, e); }
            case PinnedType p: return Subst(p.ElementType, typeArgs, methodArgs);
            case GenericInstanceType git:
            {
                bool changed = false;
                var args = new TypeReference[git.GenericArguments.Count];
                for (int i = 0; i < args.Length; i++) { args[i] = Subst(git.GenericArguments[i], typeArgs, methodArgs); changed |= !ReferenceEquals(args[i], git.GenericArguments[i]); }
                if (!changed) return t;
                var n = new GenericInstanceType(git.ElementType);
                foreach (var a in args) n.GenericArguments.Add(a);
                return n;
            }
            default: return t;
        }
    }

    /// <summary>A member's type as seen through the member reference (its declaring type's and its own instantiation).</summary>
    public static TypeReference Inflate(TypeReference t, MemberReference through)
    {
        var ta = through.DeclaringType as GenericInstanceType;
        var ma = through as GenericInstanceMethod;
        return Subst(t, ta, ma);
    }

    public TypeReference BaseOf(TypeReference t)
    {
        t = Strip(t);
        if (t is ArrayType) return CorType("System", "Array");
        if (t is GenericParameter gp)
        {
            foreach (var c in gp.Constraints) { var ct = c.ConstraintType; if (!Resolve(ct)?.IsInterface ?? false) return ct; }
            return Object;
        }
        var d = Resolve(t);
        if (d?.BaseType == null) return null;     // a pointer named as a base type (SV0233): no base of its own
        return Subst(d.BaseType, t as GenericInstanceType, null);
    }

    public IEnumerable<TypeReference> InterfacesOf(TypeReference t)
    {
        t = Strip(t);
        if (t is GenericParameter gp)
        {
            foreach (var c in gp.Constraints) yield return c.ConstraintType;
            yield break;
        }
        if (t is ArrayType) yield break;
        var d = Resolve(t);
        if (d == null) yield break;     // a pointer or byref named as an interface: no interfaces of its own
        foreach (var i in d.Interfaces) yield return Subst(i.InterfaceType, t as GenericInstanceType, null);
    }

    /// <summary>The base types of <paramref name="t"/>, nearest first (bounded: corrupt metadata may loop).</summary>
    public IEnumerable<TypeReference> BaseChain(TypeReference t)
    {
        int n = 0;
        for (var b = BaseOf(t); b != null; b = BaseOf(b))
        {
            if (++n > 200) throw new UnusableInputException(Codes.NotAnAssembly, $"the base types of {SafeName(t)} form a cycle (corrupt metadata)");
            yield return b;
        }
    }

    private readonly Dictionary<string, TypeReference> _cor = new();

    /// <summary>A type of the core library (whatever the module's System.Object comes from).</summary>
    public TypeReference CorType(string ns, string name)
    {
        string key = ns + "." + name;
        if (_cor.TryGetValue(key, out var t)) return t;
        t = new TypeReference(ns, name, Module, Object.Scope);
        _cor[key] = t;
        return t;
    }

    // ----- assignability (object references) -------------------------------------------------

    /// <summary>Is a reference of type <paramref name="from"/> assignable to a location of type <paramref name="to"/>? (ECMA I.8.7.)</summary>
    public bool IsAssignableRef(TypeReference from, TypeReference to)
    {
        string kf = Key(from), kt = Key(to);
        if (kf == kt || kt == "System.Object") return true;
        if (_assignable.TryGetValue((kf, kt), out bool r)) return r;
        _assignable[(kf, kt)] = false;   // cycle guard
        r = ComputeAssignable(Strip(from), Strip(to), kt);
        _assignable[(kf, kt)] = r;
        return r;
    }

    private bool ComputeAssignable(TypeReference from, TypeReference to, string kt)
    {
        if (from is ArrayType fa)
        {
            if (to is ArrayType ta)
            {
                if (fa.Rank != ta.Rank || fa.IsVector != ta.IsVector) return false;
                // Array covariance for reference element types; identical (reduced) element types otherwise.
                if (!IsValueType(fa.ElementType) && !IsGenericParam(fa.ElementType) && !IsValueType(ta.ElementType) && !IsGenericParam(ta.ElementType))
                    return IsAssignableRef(fa.ElementType, ta.ElementType);
                return ReducedKey(fa.ElementType) == ReducedKey(ta.ElementType);
            }
            return kt == "System.Array" || kt == "System.Object";
        }
        if (to is ArrayType) return false;
        foreach (var b in BaseChain(from))
            if (Key(b) == kt) return true;
        // Interfaces of the type and of every base type, and the interfaces they inherit.
        var seen = new HashSet<string>();
        var work = new Stack<TypeReference>();
        foreach (var i in InterfacesOf(from)) work.Push(i);
        foreach (var c in BaseChain(from))
            foreach (var i in InterfacesOf(c)) work.Push(i);
        while (work.Count > 0)
        {
            var i = work.Pop();
            string k = Key(i);
            if (!seen.Add(k)) continue;
            if (k == kt) return true;
            if (VariantMatch(i, to)) return true;
            foreach (var j in InterfacesOf(i)) work.Push(j);
        }
        if (from is GenericInstanceType && to is GenericInstanceType && VariantMatch(from, to)) return true;
        return false;
    }

    /// <summary>Generic variance (covariant/contravariant interface and delegate parameters).</summary>
    private bool VariantMatch(TypeReference from, TypeReference to)
    {
        if (from is not GenericInstanceType gf || to is not GenericInstanceType gt) return false;
        if (Key(gf.ElementType) != Key(gt.ElementType)) return false;
        var def = Resolve(gf.ElementType);
        if (!def.IsInterface && !IsDelegate(gf)) return false;   // variance is for interfaces and delegates only (II.9.5)
        for (int i = 0; i < gf.GenericArguments.Count; i++)
        {
            var a = gf.GenericArguments[i]; var b = gt.GenericArguments[i];
            if (Same(a, b)) continue;
            var gp = def.GenericParameters[i];
            bool refs = !IsValueType(a) && !IsValueType(b) && !IsGenericParam(a) && !IsGenericParam(b);
            if (gp.IsCovariant && refs && IsAssignableRef(a, b)) continue;
            if (gp.IsContravariant && refs && IsAssignableRef(b, a)) continue;
            return false;
        }
        return true;
    }

    /// <summary>The reduced type for array-element and byref compatibility (ECMA I.8.7.1): signedness and enums ignored.</summary>
    public string ReducedKey(TypeReference t)
    {
        t = Strip(t);
        if (IsEnum(t, out var u)) t = u;
        string k = Key(t);
        return k switch
        {
            "System.SByte" or "System.Byte" or "System.Boolean" => "I1",
            "System.Int16" or "System.UInt16" or "System.Char" => "I2",
            "System.Int32" or "System.UInt32" => "I4",
            "System.Int64" or "System.UInt64" => "I8",
            "System.IntPtr" or "System.UIntPtr" => "I",
            _ => k,
        };
    }

    // ----- attributes -------------------------------------------------------------------------

    public static bool HasAttribute(ICustomAttributeProvider p, string fullName)
    {
        if (p == null || !p.HasCustomAttributes) return false;
        foreach (var a in p.CustomAttributes)
        {
            var t = a.AttributeType;
            if (t.Name.Length + (t.Namespace?.Length ?? 0) + 1 == fullName.Length && t.FullName == fullName) return true;
        }
        return false;
    }

    public static bool HasAttributeNamed(ICustomAttributeProvider p, string name)
    {
        if (p == null || !p.HasCustomAttributes) return false;
        foreach (var a in p.CustomAttributes) if (a.AttributeType.Name == name) return true;
        return false;
    }
}

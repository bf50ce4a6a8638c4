using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>
/// The generic context a signature is read in (ECMA II.9.4): <c>!n</c> names a generic parameter
/// of <see cref="Type"/>, <c>!!n</c> one of <see cref="Method"/>. Generic parameters are always
/// resolved through it, never through Cecil's placeholder objects (which carry no constraints).
/// </summary>
public readonly record struct GenericContext(TypeDefinition Type, MethodDefinition Method)
{
    public static GenericContext Of(MethodDefinition m) => new(m.DeclaringType, m);
    public static GenericContext Of(TypeDefinition t) => new(t, null);

    /// <summary>The declared parameter <paramref name="gp"/> names here, or null when there is none (a corrupt or out-of-context signature).</summary>
    public GenericParameter Resolve(GenericParameter gp)
    {
        var owner = gp.Type == GenericParameterType.Method ? (IGenericParameterProvider)Method : Type;
        if (owner == null || !owner.HasGenericParameters || gp.Position < 0 || gp.Position >= owner.GenericParameters.Count) return null;
        return owner.GenericParameters[gp.Position];
    }
}

/// <summary>
/// Generic constraints (ECMA II.10.1.7, and C#'s <c>unmanaged</c>, which the trusted runtime relies
/// on: <c>ExArray&lt;T&gt;</c> and <c>MessageFrame.Put&lt;T&gt;</c> reinterpret T's bytes). An
/// instantiation that breaks one is refused wherever it is named, since an unmanaged T that holds
/// a reference turns data into object references.
/// </summary>
public sealed class Constraints
{
    private readonly TypeSystem _ts;
    private readonly Dictionary<string, bool> _unmanaged = new();

    public Constraints(TypeSystem ts) { _ts = ts; }

    public const string UnmanagedAttribute = "System.Runtime.CompilerServices.IsUnmanagedAttribute";
    public const string UnmanagedModifier = "System.Runtime.InteropServices.UnmanagedType";

    /// <summary>Does the formal parameter carry C#'s <c>unmanaged</c> constraint?</summary>
    public static bool IsUnmanagedFormal(GenericParameter gp)
    {
        if (gp == null) return false;
        if (TypeSystem.HasAttribute(gp, UnmanagedAttribute)) return true;
        foreach (var c in gp.Constraints) if (TypeSystem.HasModReq(c.ConstraintType, UnmanagedModifier)) return true;
        return false;
    }

    /// <summary>
    /// Every problem with instantiating <paramref name="formal"/> by <paramref name="arg"/>;
    /// <paramref name="typeArgs"/>/<paramref name="methodArgs"/> are substituted into the formal's
    /// constraint types, and generic parameters inside <paramref name="arg"/> are read in <paramref name="ctx"/>.
    /// </summary>
    public IEnumerable<string> Check(TypeReference arg, GenericParameter formal, IGenericInstance typeArgs, IGenericInstance methodArgs, GenericContext ctx)
    {
        var a = TypeSystem.Strip(arg);
        string an = TypeSystem.SafeName(arg), fn = formal.Name;
        if (a is ByReferenceType or PointerType or FunctionPointerType) { yield return $"{an} cannot be a generic argument (a byref or pointer)"; yield break; }
        if (a is not GenericParameter && a is not ArrayType && _ts.Key(a) is "System.Void" or "System.TypedReference" or "System.RuntimeArgumentHandle" or "System.ArgIterator") { yield return $"{an} cannot be a generic argument"; yield break; }
        if (a is not (GenericParameter or ArrayType) && IsByRefLike(a)) { yield return $"{an} is a ref struct (byref-like), which cannot be a generic argument"; yield break; }
        GenericParameter ap = a is GenericParameter g ? ctx.Resolve(g) : null;
        if (a is GenericParameter && ap == null) { yield return $"{an} names no generic parameter of {ctx.Type?.Name}{(ctx.Method != null ? "::" + ctx.Method.Name : "")}"; yield break; }

        if (formal.HasReferenceTypeConstraint && !IsReferenceType(a, ap))
            yield return $"{an} does not satisfy the 'class' constraint of {fn} (it must be a reference type)";
        if (formal.HasNotNullableValueTypeConstraint && !IsNonNullableValueType(a, ap))
            yield return $"{an} does not satisfy the 'struct' constraint of {fn} (it must be a non-nullable value type)";
        if (formal.HasDefaultConstructorConstraint && !HasDefaultConstructor(a, ap))
            yield return $"{an} does not satisfy the 'new()' constraint of {fn} (it needs a public parameterless constructor)";
        if (IsUnmanagedFormal(formal) && !IsUnmanaged(a, ap, ctx))
            yield return $"{an} does not satisfy the 'unmanaged' constraint of {fn} (it must be a value type without object references, at any depth)";
        foreach (var c in formal.Constraints)
        {
            var ct = TypeSystem.Subst(c.ConstraintType, typeArgs, methodArgs);
            if (!SatisfiesType(a, ap, ct, ctx))
                yield return $"{an} does not satisfy the constraint {TypeSystem.SafeName(TypeSystem.Strip(ct))} of {fn}";
        }
    }

    /// <summary>
    /// Is <paramref name="t"/> byref-like (a ref struct): a value type with <c>IsByRefLikeAttribute</c>
    /// (the core library's <c>Span&lt;T&gt;</c>, <c>ReadOnlySpan&lt;T&gt;</c> and their enumerators, or a SIP's own),
    /// or one of the runtime's byref-like types by name? Such a value may hold an interior reference
    /// and may never reach the GC heap (SV0115).
    /// </summary>
    public bool IsByRefLike(TypeReference t)
    {
        t = TypeSystem.Strip(t);
        if (t is GenericParameter or ArrayType or ByReferenceType or PointerType or FunctionPointerType) return false;
        if (_ts.Key(t) is "System.TypedReference" or "System.ArgIterator" or "System.RuntimeArgumentHandle") return true;
        if (t.IsPrimitive) return false;
        var d = _ts.Resolve(t);
        return d != null && d.IsValueType && TypeSystem.HasAttribute(d, "System.Runtime.CompilerServices.IsByRefLikeAttribute");
    }

    private bool IsReferenceType(TypeReference a, GenericParameter ap)
    {
        if (ap == null) return !_ts.IsValueType(a);
        if (ap.HasReferenceTypeConstraint) return true;
        if (ap.HasNotNullableValueTypeConstraint) return false;
        // A parameter constrained to a class (not an interface, not ValueType/Enum/Object) is a reference type.
        foreach (var c in ap.Constraints)
        {
            var ct = TypeSystem.Strip(c.ConstraintType);
            if (ct is GenericParameter) continue;
            if (ct is ArrayType) return true;
            string k = _ts.Key(ct);
            if (k is "System.Object" or "System.ValueType" or "System.Enum") continue;
            var d = _ts.Resolve(ct);
            if (!d.IsInterface && !d.IsValueType) return true;
        }
        return false;
    }

    private bool IsNonNullableValueType(TypeReference a, GenericParameter ap)
    {
        if (ap != null) return ap.HasNotNullableValueTypeConstraint;
        if (!_ts.IsValueType(a)) return false;
        return !(a is GenericInstanceType gi && _ts.Key(gi.ElementType) == "System.Nullable`1");
    }

    private bool HasDefaultConstructor(TypeReference a, GenericParameter ap)
    {
        if (ap != null) return ap.HasDefaultConstructorConstraint || ap.HasNotNullableValueTypeConstraint;
        if (a is ArrayType) return false;
        if (_ts.IsValueType(a)) return true;
        var d = _ts.Resolve(a);
        if (d.IsAbstract || d.IsInterface) return false;
        return d.Methods.Any(m => m.IsConstructor && !m.IsStatic && m.IsPublic && m.Parameters.Count == 0);
    }

    /// <summary>A value type whose bytes hold no object reference at any depth (C#'s unmanaged).</summary>
    public bool IsUnmanaged(TypeReference a, GenericParameter ap, GenericContext ctx)
    {
        if (a is GenericParameter) return ap != null && IsUnmanagedFormal(ap);
        return IsUnmanaged(a, ctx, 0);
    }

    private bool IsUnmanaged(TypeReference t, GenericContext ctx, int depth)
    {
        t = TypeSystem.Strip(t);
        if (depth > 64) return false;
        switch (t)
        {
            case PointerType or FunctionPointerType: return true;
            case ArrayType or ByReferenceType: return false;
            case GenericParameter gp: return IsUnmanagedFormal(ctx.Resolve(gp) ?? gp);
        }
        if (t.IsPrimitive) return true;
        string key = _ts.Key(t);
        if (_unmanaged.TryGetValue(key, out bool r)) return r;
        var d = _ts.Resolve(t);
        if (!d.IsValueType) return _unmanaged[key] = false;
        if (d.IsEnum) return _unmanaged[key] = true;
        _unmanaged[key] = false;   // a struct that contains itself is no type at all; refuse while in progress
        r = true;
        foreach (var f in d.Fields)
        {
            if (f.IsStatic) continue;
            var ft = TypeSystem.Subst(f.FieldType, t as GenericInstanceType, null);
            if (!IsUnmanaged(ft, ctx, depth + 1)) { r = false; break; }
        }
        if (t is not GenericInstanceType || !ContainsGenericParameter(t)) _unmanaged[key] = r; else _unmanaged.Remove(key);
        return r;
    }

    public static bool ContainsGenericParameter(TypeReference t)
    {
        t = TypeSystem.Strip(t);
        return t switch
        {
            GenericParameter => true,
            GenericInstanceType g => g.GenericArguments.Any(ContainsGenericParameter),
            TypeSpecification s => ContainsGenericParameter(s.ElementType),
            _ => false,
        };
    }

    /// <summary>Is <paramref name="a"/> (a generic parameter <paramref name="ap"/> when not null) compatible with the constraint type <paramref name="ct"/>?</summary>
    private bool SatisfiesType(TypeReference a, GenericParameter ap, TypeReference ct, GenericContext ctx)
    {
        ct = TypeSystem.Strip(ct);
        string kt = _ts.Key(ct);
        if (kt == "System.Object") return true;
        if (ct is GenericParameter cg)
        {
            // where T : U: the argument for T must be the argument for U, or derive from it.
            if (ap != null && _ts.Key(a) == _ts.Key(ct)) return true;
            var cp = ctx.Resolve(cg);
            if (a is GenericParameter) return ap != null && ImpliedBy(ap, ct, ctx, 0);
            if (cp == null) return false;
            return _ts.IsAssignableRef(a, ct);
        }
        if (ap != null) return ImpliedBy(ap, ct, ctx, 0);
        if (kt == "System.ValueType") return _ts.IsValueType(a) && !(a is GenericInstanceType gi && _ts.Key(gi.ElementType) == "System.Nullable`1");
        return _ts.IsAssignableRef(a, ct);
    }

    /// <summary>Do the constraints of <paramref name="ap"/> guarantee that every argument for it is compatible with <paramref name="ct"/>?</summary>
    private bool ImpliedBy(GenericParameter ap, TypeReference ct, GenericContext ctx, int depth)
    {
        if (depth > 32) return false;
        string kt = _ts.Key(ct);
        if (kt == "System.Object") return true;
        if (kt == "System.ValueType" && ap.HasNotNullableValueTypeConstraint) return true;
        if (TypeSystem.Strip(ct) is GenericParameter && _ts.Key(ap) == kt) return true;
        foreach (var c in ap.Constraints)
        {
            var own = TypeSystem.Strip(c.ConstraintType);
            if (_ts.Key(own) == kt) return true;
            if (own is GenericParameter og)
            {
                var op = ctx.Resolve(og);
                if (op != null && op != ap && ImpliedBy(op, ct, ctx, depth + 1)) return true;
                continue;
            }
            if (_ts.IsAssignableRef(own, ct)) return true;
        }
        return false;
    }

    /// <summary>
    /// Are the constraints of <paramref name="impl"/> (an override or implementation of a generic
    /// method) implied by those of <paramref name="decl"/>, seen through <paramref name="declView"/>
    /// (its type's instantiation in the overriding type's terms)? A call through the declaration
    /// checks only the declaration's; a stronger override would then run with arguments it forbids.
    /// </summary>
    public IEnumerable<string> CheckOverrideConstraints(MethodDefinition impl, MethodDefinition decl, TypeReference declView)
    {
        if (decl.GenericParameters.Count != impl.GenericParameters.Count) { yield return $"{impl.Name} has {impl.GenericParameters.Count} generic parameters where {decl.Name} has {decl.GenericParameters.Count}"; yield break; }
        // The declaration's method parameters stand for the override's, by position.
        var asImpl = new GenericInstanceMethod(decl);
        foreach (var p in impl.GenericParameters) asImpl.GenericArguments.Add(p);
        var declType = declView as GenericInstanceType;
        for (int i = 0; i < impl.GenericParameters.Count; i++)
        {
            var ip = impl.GenericParameters[i];
            var dp = decl.GenericParameters[i];
            if (ip.HasReferenceTypeConstraint && !dp.HasReferenceTypeConstraint && !IsReferenceType(dp, dp)) yield return $"{impl.Name}: type parameter {ip.Name} adds the 'class' constraint";
            if (ip.HasNotNullableValueTypeConstraint && !dp.HasNotNullableValueTypeConstraint) yield return $"{impl.Name}: type parameter {ip.Name} adds the 'struct' constraint";
            if (ip.HasDefaultConstructorConstraint && !(dp.HasDefaultConstructorConstraint || dp.HasNotNullableValueTypeConstraint)) yield return $"{impl.Name}: type parameter {ip.Name} adds the 'new()' constraint";
            if (IsUnmanagedFormal(ip) && !IsUnmanagedFormal(dp)) yield return $"{impl.Name}: type parameter {ip.Name} adds the 'unmanaged' constraint";
            foreach (var c in ip.Constraints)
            {
                var want = TypeSystem.Strip(c.ConstraintType);
                string wk = _ts.Key(want);
                if (wk == "System.Object") continue;
                if (wk == "System.ValueType" && dp.HasNotNullableValueTypeConstraint) continue;
                bool ok = false;
                foreach (var dc in dp.Constraints)
                {
                    var have = TypeSystem.Strip(TypeSystem.Subst(dc.ConstraintType, declType, asImpl));
                    if (_ts.Key(have) == wk || (have is not GenericParameter && want is not GenericParameter && _ts.IsAssignableRef(have, want))) { ok = true; break; }
                }
                if (!ok) yield return $"{impl.Name}: type parameter {ip.Name} adds the constraint {TypeSystem.SafeName(want)}";
            }
        }
    }
}

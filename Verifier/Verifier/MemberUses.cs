using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>
/// What a SIP may name: every type, method and field a signature or an instruction mentions is
/// checked for SIP policy (pointers, reflection, the trusted runtime's own API), accessibility
/// (ECMA II.10.3, I.8.5.3) from the naming type, and the generic constraints of every
/// instantiation inside it (II.10.1.7), read in the naming method's generic context.
/// </summary>
public sealed partial class AssemblyVerifier
{
    private readonly record struct UseKey(MemberReference Member, TypeDefinition From, MethodDefinition Context);

    /// <summary>Verdicts per (member, naming type, generic context): access depends on who names it, constraints on the context's parameters.</summary>
    private readonly Dictionary<UseKey, List<(string, string)>> _useChecks = new();
    private Constraints _constraints;

    private Constraints ConstraintRules => _constraints ??= new Constraints(Types);

    /// <summary>Is <paramref name="t"/> a ref struct (byref-like), which may never reach the GC heap (SV0115)?</summary>
    internal bool IsByRefLike(TypeReference t) => ConstraintRules.IsByRefLike(t);

    private UseKey KeyOf(MemberReference m, MethodDefinition ctx)
        => new(m, ctx.DeclaringType, ctx.HasGenericParameters || ctx.DeclaringType.HasGenericParameters ? ctx : null);

    private void ReportAll(List<(string, string)> list, MethodDefinition ctx, int offset)
    {
        foreach (var (code, msg) in list) Report(code, ctx, offset, msg);
    }

    internal MethodDefinition CheckMethodUse(MethodDefinition ctx, int offset, MethodReference mr)
    {
        var md = Types.Resolve(mr);
        var key = KeyOf(mr, ctx);
        if (!_useChecks.TryGetValue(key, out var list))
        {
            list = new List<(string, string)>();
            var gc = GenericContext.Of(ctx);
            var seen = new HashSet<string>();
            if (ContainsPointer(mr.ReturnType) || mr.Parameters.Any(p => ContainsPointer(p.ParameterType)) || ContainsPointer(md.ReturnType) || md.Parameters.Any(p => ContainsPointer(p.ParameterType)))
                list.Add((Codes.PointerType, $"calls {mr.DeclaringType.Name}::{mr.Name}, whose signature has pointer types"));
            MemberOwner(mr.DeclaringType, md.DeclaringType, ctx.DeclaringType, gc, list, seen, mr.Name);
            if (mr is GenericInstanceMethod gim)
            {
                if (gim.GenericArguments.Count != md.GenericParameters.Count)
                    list.Add((Codes.GenericConstraint, $"instantiates {md.Name} with {gim.GenericArguments.Count} type arguments; it has {md.GenericParameters.Count}"));
                else
                    for (int i = 0; i < gim.GenericArguments.Count; i++)
                    {
                        var a = gim.GenericArguments[i];
                        TypeProblems(a, ctx.DeclaringType, gc, list, seen, 0);
                        TrackedTypeArgument(md.DeclaringType, md.Name, a, list);
                        foreach (var p in ConstraintRules.Check(a, md.GenericParameters[i], mr.DeclaringType as GenericInstanceType, gim, gc))
                            list.Add((Codes.GenericConstraint, $"{TypeName(md.DeclaringType)}::{md.Name}: {p}"));
                    }
            }
            else if (md.HasGenericParameters)
                list.Add((Codes.GenericConstraint, $"names generic method {TypeName(md.DeclaringType)}::{md.Name} without type arguments"));
            // The signature as the caller sees it: every type in it must be one the caller may name.
            TypeProblems(TypeSystem.Inflate(md.ReturnType, mr), ctx.DeclaringType, gc, list, seen, 0);
            foreach (var p in md.Parameters) TypeProblems(TypeSystem.Inflate(p.ParameterType, mr), ctx.DeclaringType, gc, list, seen, 0);
            if (SipPolicy.IsTrustedOnlyMember(md))
                list.Add((Codes.TrustedApi, $"RuntimeHelpers.{md.Name} is for the trusted runtime only"));
            if (md.DeclaringType.Module != _module && md.IsPInvokeImpl) list.Add((Codes.PInvoke, $"calls P/Invoke method {md.Name}"));
            if (!IsAccessible(md, ctx.DeclaringType, out string why)) list.Add((Codes.Inaccessible, $"{why} {TypeName(md.DeclaringType)}::{md.Name}"));
            _useChecks[key] = list;
        }
        ReportAll(list, ctx, offset);
        return md;
    }

    internal FieldDefinition CheckFieldUse(MethodDefinition ctx, int offset, FieldReference fr)
    {
        var fd = Types.Resolve(fr);
        var key = KeyOf(fr, ctx);
        if (!_useChecks.TryGetValue(key, out var list))
        {
            list = new List<(string, string)>();
            var gc = GenericContext.Of(ctx);
            var seen = new HashSet<string>();
            if (ContainsPointer(fd.FieldType)) list.Add((Codes.PointerType, $"uses field {fd.Name} of pointer type"));
            MemberOwner(fr.DeclaringType, fd.DeclaringType, ctx.DeclaringType, gc, list, seen, fd.Name);
            TypeProblems(TypeSystem.Inflate(fd.FieldType, fr), ctx.DeclaringType, gc, list, seen, 0);
            if (!IsAccessible(fd, ctx.DeclaringType, out string why)) list.Add((Codes.Inaccessible, $"{why} {TypeName(fd.DeclaringType)}::{fd.Name}"));
            _useChecks[key] = list;
        }
        ReportAll(list, ctx, offset);
        return fd;
    }

    internal void CheckTypeUse(MethodDefinition ctx, int offset, TypeReference t)
    {
        var key = KeyOf(t, ctx);
        if (!_useChecks.TryGetValue(key, out var list))
        {
            list = new List<(string, string)>();
            TypeProblems(t, ctx.DeclaringType, GenericContext.Of(ctx), list, new HashSet<string>(), 0);
            _useChecks[key] = list;
        }
        ReportAll(list, ctx, offset);
    }

    /// <summary>The type a member is named through: policy, its instantiation, and no member of an uninstantiated generic type.</summary>
    private void MemberOwner(TypeReference owner, TypeDefinition ownerDef, TypeDefinition from, GenericContext gc, List<(string, string)> list, HashSet<string> seen, string member)
    {
        CheckDeclaringType(ownerDef, list, member);
        var o = TypeSystem.Strip(owner);
        if (o is not GenericInstanceType && ownerDef.HasGenericParameters && o is not ArrayType)
            list.Add((Codes.GenericConstraint, $"names {TypeName(ownerDef)}::{member} without instantiating the generic type {TypeName(ownerDef)}"));
        TypeProblems(owner, from, gc, list, seen, 0);
    }

    /// <summary>A signature type of a definition (field, parameter, local, base type, constraint), reported at <paramref name="where"/>.</summary>
    private void CheckSignature(TypeReference t, TypeDefinition from, GenericContext gc, string where, string what)
    {
        // Signatures repeat the same types in every method: one verdict per (type, naming type, generic context).
        var key = (Types.Key(t), from, Constraints.ContainsGenericParameter(t) ? gc.Method : null);
        if (!_signatureChecks.TryGetValue(key, out var list))
        {
            list = new List<(string, string)>();
            TypeProblems(t, from, gc, list, new HashSet<string>(), 0);
            _signatureChecks[key] = list;
        }
        foreach (var (code, msg) in list) Report(code, where, $"{what}: {msg}");
    }

    private readonly Dictionary<(string, TypeDefinition, MethodDefinition), List<(string, string)>> _signatureChecks = new();

    /// <summary>Every problem with naming <paramref name="t"/> from <paramref name="from"/>: pointers, policy, access, constraints, malformed instantiations.</summary>
    private void TypeProblems(TypeReference t, TypeDefinition from, GenericContext gc, List<(string, string)> list, HashSet<string> seen, int depth)
    {
        if (t == null) return;
        if (depth > 64) { list.Add((Codes.InvalidType, $"type {TypeSystem.SafeName(t)} is nested more than 64 levels deep")); return; }
        t = TypeSystem.Strip(t);
        switch (t)
        {
            case PointerType or FunctionPointerType:
                list.Add((Codes.PointerType, $"uses pointer type {TypeSystem.SafeName(t)}"));
                return;
            case ByReferenceType br:
                if (TypeSystem.Strip(br.ElementType) is ByReferenceType) list.Add((Codes.InvalidType, $"a byref of a byref ({TypeSystem.SafeName(t)})"));
                TypeProblems(br.ElementType, from, gc, list, seen, depth + 1);
                return;
            case ArrayType at:
            {
                var e = TypeSystem.Strip(at.ElementType);
                if (e is ByReferenceType || (e is not GenericParameter && e is not ArrayType && e is not PointerType && e is not FunctionPointerType && (Types.Key(e) is "System.Void" or "System.TypedReference" || ConstraintRules.IsByRefLike(e))))
                    list.Add((Codes.InvalidType, $"an array of {TypeSystem.SafeName(e)}, which cannot be an array element"));
                TypeProblems(at.ElementType, from, gc, list, seen, depth + 1);
                return;
            }
            case GenericParameter gp:
                if (gc.Resolve(gp) == null) list.Add((Codes.InvalidType, $"names generic parameter {(gp.Type == GenericParameterType.Method ? "!!" : "!")}{gp.Position}, which {TypeName(from)}{(gc.Method != null ? "::" + gc.Method.Name : "")} does not have"));
                return;
            case GenericInstanceType g:
            {
                if (!seen.Add(Types.Key(g))) return;
                var def = Types.Resolve(g.ElementType);
                Named(g.ElementType, def, from, list);
                if (def.GenericParameters.Count != g.GenericArguments.Count)
                {
                    list.Add((Codes.GenericConstraint, $"instantiates {TypeName(def)} with {g.GenericArguments.Count} type arguments; it has {def.GenericParameters.Count}"));
                    return;
                }
                for (int i = 0; i < g.GenericArguments.Count; i++)
                {
                    var a = g.GenericArguments[i];
                    TypeProblems(a, from, gc, list, seen, depth + 1);
                    TrackedTypeArgument(def, null, a, list);
                    foreach (var p in ConstraintRules.Check(a, def.GenericParameters[i], g, null, gc))
                        list.Add((Codes.GenericConstraint, $"{TypeName(def)}: {p}"));
                }
                return;
            }
            default:
            {
                if (!seen.Add(Types.Key(t))) return;
                Named(t, Types.Resolve(t), from, list);
                return;
            }
        }
    }

    // SV0304 for generics: a generic type or method outside the runtime (List<ExBuffer>, a SIP's own
    // Box<T> or Id<T>) could keep a tracked value where no check follows it (its code sees only T).
    // The runtime's own generics (TRef, EndpointGroup, ...) are written to hold them. As SING0004.
    private void TrackedTypeArgument(TypeDefinition def, string method, TypeReference a, List<(string, string)> list)
    {
        if (Tracking == null || def == null || !Tracking.IsTracked(a)) return;
        if (def.Module?.Assembly?.Name?.Name == "Singularity.Runtime") return;
        list.Add((Codes.StoredInHeap, $"{TypeSystem.SafeName(a)} is a type argument of {TypeName(def)}{(method != null ? "::" + method : "")}, a generic outside the runtime whose code does not track it (keep it in a local, a TRef or an EndpointGroup)"));
    }

    private void Named(TypeReference tr, TypeDefinition td, TypeDefinition from, List<(string, string)> list)
    {
        CheckDeclaringType(td, list, null);
        if (!IsAccessibleType(td, from)) list.Add((Codes.Inaccessible, $"uses inaccessible type {TypeName(td)}"));
    }

    private void CheckDeclaringType(TypeDefinition td, List<(string, string)> list, string member)
    {
        if (td.Module == _module) return;
        string what = member == null ? TypeName(td) : $"{TypeName(td)}::{member}";
        if (SipPolicy.IsForbiddenType(td))
            list.Add((Codes.Reflection, $"uses {what}: reflection, interop and code generation are not available to SIPs"));
        else if (SipPolicy.IsTrustedOnlyType(td))
            list.Add((Codes.TrustedApi, $"uses {what}, which only the trusted runtime may use"));
    }

    // ----- accessibility (ECMA II.10.3 / I.8.5.3) --------------------------------------------

    private static bool SameAssembly(TypeDefinition a, TypeDefinition b) => a.Module == b.Module;

    private static bool Encloses(TypeDefinition outer, TypeDefinition t)
    {
        for (var c = t; c != null; c = c.DeclaringType) if (c == outer) return true;
        return false;
    }

    private bool DerivesFrom(TypeDefinition t, TypeDefinition baseDef)
    {
        for (var c = t; c != null; c = c.DeclaringType)
        {
            if (c == baseDef) return true;
            foreach (var b in Types.BaseChain(c)) if (Types.Resolve(b) == baseDef) return true;
        }
        return false;
    }

    internal bool IsAccessibleType(TypeDefinition t, TypeDefinition from)
    {
        if (t.DeclaringType == null) return t.IsPublic || SameAssembly(t, from);
        if (!IsAccessibleType(t.DeclaringType, from)) return false;
        if (t.IsNestedPublic) return true;
        if (t.IsNestedPrivate) return Encloses(t.DeclaringType, from);
        if (t.IsNestedAssembly) return SameAssembly(t, from);
        if (t.IsNestedFamily) return DerivesFrom(from, t.DeclaringType) || Encloses(t.DeclaringType, from);
        if (t.IsNestedFamilyOrAssembly) return SameAssembly(t, from) || DerivesFrom(from, t.DeclaringType) || Encloses(t.DeclaringType, from);
        if (t.IsNestedFamilyAndAssembly) return SameAssembly(t, from) && (DerivesFrom(from, t.DeclaringType) || Encloses(t.DeclaringType, from));
        return false;
    }

    /// <summary>
    /// Family access through an instance (I.8.5.3.2): when <paramref name="from"/> may use the instance
    /// member <paramref name="m"/> only as a subclass of its declaring type, the classes through which
    /// it may (<paramref name="from"/> or a class enclosing it that derives from the declaring type); the
    /// instance used must be one of them or derive from one. Null when the rule does not apply.
    /// </summary>
    internal List<TypeDefinition> FamilyAccessVia(IMemberDefinition m, TypeDefinition from)
    {
        var dt = m.DeclaringType;
        bool instance = m is FieldDefinition f ? !f.IsStatic : m is MethodDefinition md && md.HasThis;
        if (!instance) return null;
        MethodAttributes? ma = m is MethodDefinition d ? d.Attributes & MethodAttributes.MemberAccessMask : null;
        FieldAttributes? fa = m is FieldDefinition fd ? fd.Attributes & FieldAttributes.FieldAccessMask : null;
        bool fam = ma == MethodAttributes.Family || fa == FieldAttributes.Family || ma == MethodAttributes.FamANDAssem || fa == FieldAttributes.FamANDAssem;
        bool famOrAsm = ma == MethodAttributes.FamORAssem || fa == FieldAttributes.FamORAssem;
        if (!fam && !(famOrAsm && !SameAssembly(dt, from))) return null;
        if (Encloses(dt, from)) return null;                       // nested in the declaring type: its own access
        var via = new List<TypeDefinition>();
        for (var c = from; c != null; c = c.DeclaringType)
            if (Types.BaseChain(c).Any(b => Types.Resolve(b) == dt)) via.Add(c);
        return via.Count > 0 ? via : null;                         // none: the access check itself refuses it
    }

    internal bool IsAccessible(IMemberDefinition m, TypeDefinition from, out string why)
    {
        var dt = m.DeclaringType;
        why = "";
        if (!IsAccessibleType(dt, from)) { why = dt.Module != from.Module ? "uses a member of a type internal to another assembly:" : "uses a member of an inaccessible type:"; return false; }
        MethodAttributes? ma = m is MethodDefinition md ? md.Attributes & MethodAttributes.MemberAccessMask : null;
        FieldAttributes? fa = m is FieldDefinition fd ? fd.Attributes & FieldAttributes.FieldAccessMask : null;
        bool pub = ma == MethodAttributes.Public || fa == FieldAttributes.Public;
        bool priv = ma == MethodAttributes.Private || fa == FieldAttributes.Private || ma == MethodAttributes.CompilerControlled || fa == FieldAttributes.CompilerControlled;
        bool asm = ma == MethodAttributes.Assembly || fa == FieldAttributes.Assembly;
        bool fam = ma == MethodAttributes.Family || fa == FieldAttributes.Family;
        bool famOrAsm = ma == MethodAttributes.FamORAssem || fa == FieldAttributes.FamORAssem;
        bool famAndAsm = ma == MethodAttributes.FamANDAssem || fa == FieldAttributes.FamANDAssem;
        bool same = SameAssembly(dt, from);
        bool ok = pub
            || (priv && Encloses(dt, from))
            || (asm && same)
            || (fam && (DerivesFrom(from, dt) || Encloses(dt, from)))
            || (famOrAsm && (same || DerivesFrom(from, dt)))
            || (famAndAsm && same && DerivesFrom(from, dt));
        if (!ok) why = !same ? (priv ? "uses private member" : asm || famAndAsm ? "uses internal member of another assembly:" : "uses inaccessible member") : priv ? "uses private member of another type:" : "uses inaccessible member";
        return ok;
    }

    // ----- type shapes ------------------------------------------------------------------------

    internal static bool ContainsPointer(TypeReference t) => SipPolicy.ContainsPointer(t);
}

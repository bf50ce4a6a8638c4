using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>
/// The type rules of ECMA-335 Partition II that a SIP's own types must keep: a type's base and
/// interfaces are of the right kind, a concrete type implements every abstract and interface
/// method it inherits, overrides override what they may with the same signature and no stronger
/// constraints, variant type parameters appear only where variance is safe, value types do not
/// contain themselves, enums and delegates have their fixed shapes, and explicit layouts overlap
/// no object reference and no other assembly's type. Each broken rule would let a call run code
/// on a value of the wrong type.
/// </summary>
public sealed partial class AssemblyVerifier
{
    private void VerifyType(TypeDefinition t)
    {
        string tn = TypeName(t);
        var gc = GenericContext.Of(t);
        if (t.BaseType != null) CheckSignature(t.BaseType, t, gc, tn, "base type");
        foreach (var i in t.Interfaces) CheckSignature(i.InterfaceType, t, gc, tn, "interface");
        foreach (var gp in t.GenericParameters)
            foreach (var c in gp.Constraints) CheckSignature(c.ConstraintType, t, gc, tn, $"constraint of {gp.Name}");
        foreach (var f in t.Fields)
        {
            string where = tn + "::" + f.Name;
            var ft = f.FieldType;
            if (ContainsPointer(ft)) Report(Codes.PointerType, where, $"field of pointer type {ft.FullName}");
            else if (TypeSystem.Strip(ft) is ByReferenceType) Report(Codes.ByRefField, where, "ref field (a byref stored in an object)");
            else CheckSignature(ft, t, gc, where, "field type");
            // A ref struct holds an interior reference (a span's ref and length): only another ref
            // struct's instance field keeps it on the stack; a class, a plain struct (boxable) or a
            // static would put it on the heap, where another thread could tear it or outlive it.
            if (ConstraintRules.IsByRefLike(ft) && (f.IsStatic || !ConstraintRules.IsByRefLike(t)))
                Report(Codes.ByRefLikeOnHeap, where, $"{(f.IsStatic ? "static field" : "field")} of ref struct type {TypeSystem.SafeName(TypeSystem.Strip(ft))} in {(f.IsStatic ? "" : t.IsValueType ? "struct " : "class ")}{tn}{(f.IsStatic ? "" : ", which is not a ref struct")}: a ref struct may never reach the GC heap");
            if (f.IsStatic) CheckStatic(t, f, where);
            if (f.IsPInvokeImpl) Report(Codes.PInvoke, where, "field marked pinvokeimpl");
        }
        // <Module> holds the assembly's global members: it is no class and has no base type.
        bool moduleType = t.BaseType == null && t.Name == "<Module>" && t.DeclaringType == null && string.IsNullOrEmpty(t.Namespace);
        if (!moduleType && CheckKind(t, tn))
        {
            CheckLayout(t, tn);
            CheckVariance(t, tn);
            CheckOverrides(t, tn);
            if (!t.IsAbstract && !t.IsInterface) CheckImplemented(t, tn);
        }
        foreach (var m in t.Methods) Guarded(() => Where(m), () => VerifyMethod(m));
    }

    // ----- kind: base type, interfaces, enums, delegates, value types ----------------------------

    /// <summary>Checks what kind of type <paramref name="t"/> is; false when it is too malformed for the other rules.</summary>
    private bool CheckKind(TypeDefinition t, string tn)
    {
        bool ok = true;
        void Bad(string msg) { Report(Codes.InvalidType, tn, msg); ok = false; }
        var listed = new HashSet<string>();
        foreach (var i in t.Interfaces)
        {
            var d = Types.Resolve(i.InterfaceType);
            // An array, a pointer or a generic parameter names no type definition: no interface.
            if (d == null) { Bad($"lists {TypeSystem.SafeName(i.InterfaceType)} as an interface, which is no interface type"); continue; }
            if (!d.IsInterface) Bad($"lists {TypeName(d)} as an interface, but it is a {(d.IsValueType ? "value type" : "class")}");
            if (!listed.Add(Types.Key(i.InterfaceType))) Bad($"lists interface {TypeSystem.SafeName(i.InterfaceType)} twice");
        }
        if (t.IsInterface)
        {
            if (t.BaseType != null) Bad("an interface with a base type");
            if (!t.IsAbstract) Bad("an interface that is not abstract");
            foreach (var f in t.Fields) if (!f.IsStatic) Bad($"an interface with instance field {f.Name}");
            foreach (var m in t.Methods)
            {
                if (m.IsConstructor && !m.IsStatic) Bad($"an interface with an instance constructor");
                else if (!m.IsStatic && m.IsAbstract && !m.IsVirtual) Bad($"interface method {m.Name} is abstract but not virtual");
            }
            return ok;
        }
        if (t.BaseType == null) { Bad("a class or struct without a base type (only System.Object has none)"); return false; }
        var b = Types.Resolve(t.BaseType);
        if (b == null) { Bad($"derives from {TypeSystem.SafeName(t.BaseType)}, which is no class"); return false; }
        string bk = Types.Key(b);
        if (b.IsInterface) { Bad($"derives from interface {TypeName(b)}"); return false; }
        if (b.IsSealed) Bad($"derives from sealed type {TypeName(b)}");
        if (b.IsValueType && bk is not ("System.ValueType" or "System.Enum")) Bad($"derives from value type {TypeName(b)}");
        if (bk is "System.Array" or "System.Delegate") Bad($"derives from {bk}, which only the runtime may do");
        if (t.IsValueType)
        {
            if (!t.IsSealed) Bad("a value type that is not sealed");
            if (ContainsItself(t)) Bad("a value type that contains itself (by value, through its fields)");
        }
        if (bk == "System.Enum") CheckEnum(t, Bad);
        else if (bk == "System.MulticastDelegate") CheckDelegateShape(t, Bad);
        foreach (var m in t.Methods)
        {
            if (m.IsAbstract && !t.IsAbstract) Bad($"abstract method {m.Name} in a type that is not abstract");
            if (m.IsAbstract && !m.IsVirtual) Bad($"method {m.Name} is abstract but not virtual");
            if (m.IsStatic && m.IsVirtual) Bad($"static method {m.Name} is virtual (only interfaces declare static virtual members)");
        }
        return ok;
    }

    private void CheckEnum(TypeDefinition t, Action<string> bad)
    {
        if (!t.IsSealed) bad("an enum that is not sealed");
        var inst = t.Fields.Where(f => !f.IsStatic).ToList();
        if (inst.Count != 1) { bad($"an enum with {inst.Count} instance fields (it has exactly one, its value)"); return; }
        string k = Types.Key(inst[0].FieldType);
        if (k is not ("System.SByte" or "System.Byte" or "System.Int16" or "System.UInt16" or "System.Int32" or "System.UInt32" or "System.Int64" or "System.UInt64" or "System.Char" or "System.Boolean"))
            bad($"an enum whose value field has type {k} (an integer type is required)");
        if (t.Methods.Count > 0) bad("an enum with methods");
        if (t.Interfaces.Count > 0) bad("an enum that implements interfaces");
        foreach (var f in t.Fields) if (f.IsStatic && !f.IsLiteral) bad($"an enum with a static field {f.Name} that is not a constant");
    }

    private void CheckDelegateShape(TypeDefinition t, Action<string> bad)
    {
        if (!t.IsSealed) bad("a delegate type that is not sealed");
        if (t.Fields.Count > 0) bad("a delegate type with fields");
        foreach (var m in t.Methods)
        {
            bool runtime = m.IsRuntime && !m.HasBody;
            switch (m.Name)
            {
                case ".ctor":
                    if (!runtime || m.IsStatic || m.Parameters.Count != 2 || Types.Key(m.Parameters[0].ParameterType) != "System.Object" || Types.Key(m.Parameters[1].ParameterType) is not ("System.IntPtr" or "System.UIntPtr"))
                        bad("a delegate constructor other than the runtime's .ctor(object, native int)");
                    break;
                case "Invoke": case "BeginInvoke": case "EndInvoke":
                    if (!runtime || m.IsStatic || !m.IsVirtual) bad($"delegate method {m.Name} is not a runtime-implemented virtual method");
                    break;
                default:
                    bad($"a delegate type with method {m.Name} (a delegate has only .ctor, Invoke, BeginInvoke and EndInvoke)");
                    break;
            }
        }
        if (!t.Methods.Any(m => m.Name == "Invoke")) bad("a delegate type without Invoke");
    }

    private bool ContainsItself(TypeDefinition t)
    {
        var self = Types.Key(t);
        var seen = new HashSet<string>();
        var work = new Stack<(TypeReference, int)>();
        work.Push((t, 0));
        while (work.Count > 0)
        {
            var (c, depth) = work.Pop();
            if (depth > 64) return true;   // an instantiation that grows without end is as bad
            var d = Types.Resolve(c);
            foreach (var f in d.Fields)
            {
                if (f.IsStatic) continue;
                var ft = TypeSystem.Strip(TypeSystem.Subst(f.FieldType, c as GenericInstanceType, null));
                if (ft is GenericParameter or ArrayType or ByReferenceType or PointerType or FunctionPointerType || ft.IsPrimitive) continue;
                if (!Types.IsValueType(ft)) continue;
                string k = Types.Key(ft);
                if (k == self || (ft is GenericInstanceType g && Types.Key(g.ElementType) == self)) return true;
                if (seen.Add(k)) work.Push((ft, depth + 1));
            }
        }
        return false;
    }

    // ----- layout ---------------------------------------------------------------------------------

    private void CheckLayout(TypeDefinition t, string tn)
    {
        bool refs = t.Fields.Any(f => !f.IsStatic && ContainsReferences(TypeSystem.Strip(f.FieldType)));
        if (!t.IsExplicitLayout)
        {
            if (refs && t.PackingSize is > 0 and < 8)
                Report(Codes.ExplicitLayout, tn, $"packing {t.PackingSize} with object reference fields: a reference would sit unaligned where the collector cannot see it");
            return;
        }
        var fields = new List<(FieldDefinition F, long Off, long Size, bool Refs, bool Foreign)>();
        foreach (var f in t.Fields)
        {
            if (f.IsStatic) continue;
            string where = tn + "::" + f.Name;
            var ft = TypeSystem.Strip(f.FieldType);
            if (f.Offset < 0) { Report(Codes.ExplicitLayout, where, "a field of an explicit layout without an offset"); continue; }
            if (Constraints.ContainsGenericParameter(ft))
            {
                Report(Codes.ExplicitLayout, where, $"explicit layout with a field of generic type {TypeSystem.SafeName(ft)}: its size and contents are not known, so overlaps cannot be checked");
                continue;
            }
            var size = Layout(ft, 0)?.Size;
            if (size == null) { Report(Codes.ExplicitLayout, where, $"explicit layout with a field of type {TypeSystem.SafeName(ft)} whose size is not known"); continue; }
            bool r = ContainsReferences(ft);
            if (r && f.Offset % 8 != 0) Report(Codes.ExplicitLayout, where, $"an object reference at offset {f.Offset}, not a multiple of 8");
            fields.Add((f, f.Offset, size.Value, r, ContainsForeignStruct(ft, 0)));
        }
        for (int i = 0; i < fields.Count; i++)
            for (int j = i + 1; j < fields.Count; j++)
            {
                var a = fields[i]; var b = fields[j];
                if (a.Off >= b.Off + b.Size || b.Off >= a.Off + a.Size) continue;
                string names = $"fields {a.F.Name} (offset {a.Off}, {a.Size} bytes) and {b.F.Name} (offset {b.Off}, {b.Size} bytes) overlap";
                if (a.Refs || b.Refs)
                    Report(Codes.ExplicitLayout, tn, $"{names}, and one holds an object reference: overlapping it would forge references");
                else if (a.Foreign || b.Foreign)
                    Report(Codes.ExplicitLayout, tn, $"{names}, and one is (or contains) a value type of another assembly: overlapping it would rewrite that type's private fields behind its back");
            }
    }

    /// <summary>
    /// The bytes a value of <paramref name="t"/> occupies, by natural layout (each field at its
    /// alignment, capped by the packing; explicit layouts at their offsets; never below the declared
    /// class size), or null when unknown. The runtime may reorder an auto-layout struct's fields,
    /// which never makes it larger.
    /// </summary>
    private (long Size, int Align)? Layout(TypeReference t, int depth)
    {
        t = TypeSystem.Strip(t);
        if (depth > 64) return null;
        switch (t)
        {
            case GenericParameter: return null;
            case ArrayType or ByReferenceType or PointerType or FunctionPointerType: return (8, 8);
        }
        switch (Types.Key(t))
        {
            case "System.Boolean": case "System.Byte": case "System.SByte": return (1, 1);
            case "System.Char": case "System.Int16": case "System.UInt16": return (2, 2);
            case "System.Int32": case "System.UInt32": case "System.Single": return (4, 4);
            case "System.Int64": case "System.UInt64": case "System.Double": case "System.IntPtr": case "System.UIntPtr": return (8, 8);
        }
        if (!Types.IsValueType(t)) return (8, 8);
        if (Types.IsEnum(t, out var u)) return Layout(u, depth + 1);
        var d = Types.Resolve(t);
        int pack = d.PackingSize > 0 ? d.PackingSize : 8;
        long size = 0;
        int align = 1;
        foreach (var f in d.Fields)
        {
            if (f.IsStatic) continue;
            var fl = Layout(TypeSystem.Subst(f.FieldType, t as GenericInstanceType, null), depth + 1);
            if (fl == null) return null;
            int fa = Math.Min(fl.Value.Align, pack);
            align = Math.Max(align, fa);
            if (d.IsExplicitLayout) size = Math.Max(size, Math.Max(f.Offset, 0) + fl.Value.Size);
            else size = ((size + fa - 1) / fa * fa) + fl.Value.Size;
        }
        size = (size + align - 1) / align * align;
        return (Math.Max(Math.Max(size, d.ClassSize), 1), align);
    }

    private bool ContainsReferences(TypeReference t)
    {
        t = TypeSystem.Strip(t);
        if (t is PointerType or FunctionPointerType) return false;
        if (t is GenericParameter gp) return !Constraints.IsUnmanagedFormal(gp);
        if (!Types.IsValueType(t)) return true;
        if (t.IsPrimitive) return false;
        var d = Types.Resolve(t);
        if (d.IsEnum) return false;
        foreach (var f in d.Fields)
            if (!f.IsStatic && !Types.Same(f.FieldType, t) && ContainsReferences(TypeSystem.Subst(f.FieldType, t as GenericInstanceType, null))) return true;
        return false;
    }

    /// <summary>Is <paramref name="t"/>, or a field inside it, a (non-primitive, non-enum) value type of another assembly?</summary>
    private bool ContainsForeignStruct(TypeReference t, int depth)
    {
        t = TypeSystem.Strip(t);
        if (depth > 64 || t is GenericParameter or ArrayType or ByReferenceType or PointerType or FunctionPointerType || t.IsPrimitive) return false;
        if (!Types.IsValueType(t)) return false;
        var d = Types.Resolve(t);
        if (d.IsEnum) return false;
        if (d.Module != _module) return true;
        foreach (var f in d.Fields)
            if (!f.IsStatic && ContainsForeignStruct(TypeSystem.Subst(f.FieldType, t as GenericInstanceType, null), depth + 1)) return true;
        return false;
    }

    // ----- variance (II.9.11) ---------------------------------------------------------------------

    private void CheckVariance(TypeDefinition t, string tn)
    {
        bool variant = t.GenericParameters.Any(p => p.IsCovariant || p.IsContravariant);
        if (!variant) return;
        if (!t.IsInterface && !Types.IsDelegate(t)) { Report(Codes.InvalidType, tn, "variant type parameters on a type that is neither an interface nor a delegate"); return; }
        foreach (var i in t.Interfaces)
            if (VarianceProblem(i.InterfaceType, +1) is string p) Report(Codes.InvalidType, tn, $"inherits {TypeSystem.SafeName(i.InterfaceType)}: {p}");
        foreach (var m in t.Methods)
        {
            if (m.IsConstructor || (m.IsStatic && !m.IsAbstract && !m.IsVirtual)) continue;
            string where = tn + "::" + m.Name;
            if (VarianceProblem(m.ReturnType, +1) is string r) Report(Codes.InvalidType, where, $"return type: {r}");
            foreach (var p in m.Parameters)
                if (VarianceProblem(p.ParameterType, -1) is string q) Report(Codes.InvalidType, where, $"parameter {p.Name}: {q}");
            foreach (var gp in m.GenericParameters)
                foreach (var c in gp.Constraints)
                    if (VarianceProblem(c.ConstraintType, -1) is string q) Report(Codes.InvalidType, where, $"constraint of {gp.Name}: {q}");
        }
    }

    /// <summary>Why <paramref name="t"/> in a position of polarity <paramref name="pos"/> (+1 output, -1 input, 0 both) is not variance-safe, or null.</summary>
    private string VarianceProblem(TypeReference t, int pos)
    {
        t = TypeSystem.Strip(t);
        switch (t)
        {
            case GenericParameter gp when gp.Type == GenericParameterType.Type:
            {
                var owner = gp.Owner as TypeDefinition;
                var d = owner != null && gp.Position < owner.GenericParameters.Count ? owner.GenericParameters[gp.Position] : gp;
                if (d.IsCovariant && pos != +1) return $"covariant (out) {d.Name} used in an {(pos == 0 ? "invariant" : "input")} position";
                if (d.IsContravariant && pos != -1) return $"contravariant (in) {d.Name} used in an {(pos == 0 ? "invariant" : "output")} position";
                return null;
            }
            case ArrayType at: return VarianceProblem(at.ElementType, pos);
            case ByReferenceType br: return VarianceProblem(br.ElementType, 0);
            case GenericInstanceType g:
            {
                var def = Types.Resolve(g.ElementType);
                for (int i = 0; i < g.GenericArguments.Count && i < def.GenericParameters.Count; i++)
                {
                    var fp = def.GenericParameters[i];
                    int p = fp.IsCovariant ? pos : fp.IsContravariant ? -pos : 0;
                    if (VarianceProblem(g.GenericArguments[i], p) is string r) return r;
                }
                return null;
            }
            default: return null;
        }
    }

    // ----- overrides and implementations ------------------------------------------------------------

    /// <summary>A type of the base chain as seen from the type being checked (its generic arguments in that type's terms).</summary>
    private readonly record struct Seen(TypeReference View, TypeDefinition Def);

    private List<Seen> ChainOf(TypeDefinition t)
    {
        var chain = new List<Seen> { new(SelfView(t), t) };
        foreach (var b in Types.BaseChain(SelfView(t)))
        {
            // A base that names no type definition (an array, a generic parameter) is reported by
            // that type's own CheckKind; the chain ends there.
            var d = Types.Resolve(b);
            if (d == null) break;
            chain.Add(new(b, d));
        }
        return chain;
    }

    private static TypeReference SelfView(TypeDefinition t)
    {
        if (!t.HasGenericParameters) return t;
        var g = new GenericInstanceType(t);
        foreach (var p in t.GenericParameters) g.GenericArguments.Add(p);
        return g;
    }

    /// <summary>A type in a signature, modreqs included (they are part of a signature: <c>in</c> is modreq(InAttribute)).</summary>
    private string SigType(TypeReference t)
    {
        var sb = new System.Text.StringBuilder();
        while (t is IModifierType m)
        {
            if (t is RequiredModifierType) sb.Append("modreq(").Append(Types.Key(m.ModifierType)).Append(')');
            t = m.ElementType;
        }
        if (t is ByReferenceType br && br.ElementType is IModifierType) return sb.Append(SigType(br.ElementType)).Append('&').ToString();
        return sb.Append(Types.Key(t)).ToString();
    }

    /// <summary>A method's signature seen through <paramref name="view"/> (its declaring type's instantiation): return, parameters, arity, static.</summary>
    private string Sig(MethodDefinition m, TypeReference view)
    {
        var g = view as GenericInstanceType;
        var sb = new System.Text.StringBuilder();
        sb.Append(m.HasThis ? "i " : "s ").Append(m.GenericParameters.Count).Append(' ').Append(SigType(TypeSystem.Subst(m.ReturnType, g, null))).Append('(');
        foreach (var p in m.Parameters) sb.Append(SigType(TypeSystem.Subst(p.ParameterType, g, null))).Append(',');
        return sb.Append(')').ToString();
    }

    private void CheckOverrides(TypeDefinition t, string tn)
    {
        var chain = ChainOf(t);
        var interfaces = AllInterfaces(chain).ToList();
        foreach (var m in t.Methods)
        {
            string where = tn + "::" + m.Name;
            // Implicit overrides: a virtual method that reuses a slot overrides the nearest accessible base method with its name and signature.
            if (m.IsVirtual && !m.IsNewSlot && !t.IsInterface)
            {
                string sig = Sig(m, chain[0].View);
                foreach (var (view, def) in chain.Skip(1))
                {
                    var bm = def.Methods.FirstOrDefault(x => x.Name == m.Name && x.IsVirtual && Sig(x, view) == sig);
                    if (bm == null || !IsAccessible(bm, t, out _)) continue;
                    if (bm.IsFinal) Report(Codes.BadOverride, where, $"overrides final (sealed) method {TypeName(def)}::{bm.Name}");
                    CheckOverrideDetails(m, bm, view, where);
                    break;
                }
            }
            // Explicit overrides (.override): of a method of a base type or an interface this type has.
            foreach (var decl in m.Overrides)
            {
                var dd = Types.Resolve(decl);
                var declView = decl.DeclaringType;
                string dk = Types.Key(declView);
                bool inChain = chain.Skip(1).Any(c => Types.Key(c.View) == dk);
                bool isInterface = interfaces.Any(i => Types.Key(i) == dk);
                if (!inChain && !isInterface) { Report(Codes.BadOverride, where, $"overrides {TypeName(dd.DeclaringType)}::{dd.Name}, but {TypeSystem.SafeName(declView)} is neither a base type nor an interface of {tn}"); continue; }
                if (!dd.IsVirtual) { Report(Codes.BadOverride, where, $"overrides {TypeName(dd.DeclaringType)}::{dd.Name}, which is not virtual"); continue; }
                if (dd.IsFinal && !dd.DeclaringType.IsInterface) Report(Codes.BadOverride, where, $"overrides final (sealed) method {TypeName(dd.DeclaringType)}::{dd.Name}");
                if (!IsAccessible(dd, t, out _)) Report(Codes.BadOverride, where, $"overrides {TypeName(dd.DeclaringType)}::{dd.Name}, which it cannot access");
                if (dd.IsStatic != m.IsStatic) { Report(Codes.BadOverride, where, $"a {(m.IsStatic ? "static" : "instance")} method overrides {(dd.IsStatic ? "static" : "instance")} {dd.Name}"); continue; }
                if (!m.IsStatic && !m.IsVirtual) Report(Codes.BadOverride, where, $"overrides {dd.Name} but is not virtual");
                if (Sig(dd, declView) != Sig(m, chain[0].View)) { Report(Codes.BadOverride, where, $"signature {Sig(m, chain[0].View)} does not match the overridden {TypeName(dd.DeclaringType)}::{dd.Name} {Sig(dd, declView)}"); continue; }
                CheckOverrideDetails(m, dd, declView, where);
            }
        }
    }

    private void CheckOverrideDetails(MethodDefinition m, MethodDefinition baseMethod, TypeReference view, string where)
    {
        if (m.HasGenericParameters || baseMethod.HasGenericParameters)
            foreach (var p in ConstraintRules.CheckOverrideConstraints(m, baseMethod, view)) Report(Codes.BadOverride, where, p);
    }

    private IEnumerable<TypeReference> AllInterfaces(List<Seen> chain)
    {
        var seen = new HashSet<string>();
        var work = new Stack<TypeReference>();
        foreach (var (view, def) in chain)
            foreach (var i in def.Interfaces) work.Push(TypeSystem.Subst(i.InterfaceType, view as GenericInstanceType, null));
        int guard = 0;
        while (work.Count > 0)
        {
            if (++guard > 10_000) throw new UnusableInputException(Codes.NotAnAssembly, "interfaces inherit each other without end (corrupt metadata)");
            var i = work.Pop();
            if (!seen.Add(Types.Key(i))) continue;
            yield return i;
            foreach (var j in Types.InterfacesOf(i)) work.Push(j);
        }
    }

    /// <summary>A concrete type implements every abstract method of its base classes and every method of its interfaces.</summary>
    private void CheckImplemented(TypeDefinition t, string tn)
    {
        var chain = ChainOf(t);
        // Abstract methods of the base classes: overridden by a class between the type and the declaring class.
        for (int k = 1; k < chain.Count; k++)
        {
            var (view, def) = chain[k];
            foreach (var am in def.Methods)
            {
                if (!am.IsAbstract || am.IsStatic) continue;
                string sig = Sig(am, view);
                bool found = false;
                for (int j = 0; j < k && !found; j++)
                {
                    var (cv, cd) = chain[j];
                    found = cd.Methods.Any(x => !x.IsAbstract && x.Overrides.Any(o => Types.Resolve(o) == am && Types.Key(SubstFrom(o.DeclaringType, cv)) == Types.Key(view)))
                         || (IsAccessible(am, cd, out _) && cd.Methods.Any(x => x.Name == am.Name && x.IsVirtual && !x.IsNewSlot && !x.IsAbstract && Sig(x, cv) == sig));
                }
                if (!found) Report(Codes.InterfaceImpl, tn, $"does not implement abstract method {TypeName(def)}::{am.Name}{(IsAccessible(am, t, out _) ? "" : " (which it cannot access: no type of another assembly can be a concrete subclass of " + TypeName(def) + ")")}");
            }
        }
        // Interface methods: an explicit override in the chain, a public virtual method of the same
        // name and signature, or a default implementation (the method's own body, or an explicit
        // override with a body in another interface the type has).
        var interfaces = AllInterfaces(chain).ToList();
        foreach (var iface in interfaces)
        {
            var idef = Types.Resolve(iface);
            if (idef == null) continue;     // no interface type: reported by CheckKind
            foreach (var im in idef.Methods)
            {
                if (!im.IsAbstract) continue;
                string sig = Sig(im, iface);
                string ik = Types.Key(iface);
                bool found = false;
                foreach (var (cv, cd) in chain)
                {
                    found = cd.Methods.Any(x => !x.IsAbstract && x.Overrides.Any(o => Types.Resolve(o) == im && Types.Key(SubstFrom(o.DeclaringType, cv)) == ik))
                         || cd.Methods.Any(x => x.Name == im.Name && x.IsPublic && !x.IsAbstract && (im.IsStatic ? x.IsStatic : x.IsVirtual && !x.IsStatic) && Sig(x, cv) == sig);
                    if (found) break;
                }
                if (!found)
                    foreach (var j in interfaces)
                    {
                        var jd = Types.Resolve(j);
                        if (jd != null && jd.Methods.Any(x => !x.IsAbstract && x.Overrides.Any(o => Types.Resolve(o) == im && Types.Key(SubstFrom(o.DeclaringType, j)) == ik))) { found = true; break; }
                    }
                if (!found) Report(Codes.InterfaceImpl, tn, $"does not implement {TypeSystem.SafeName(iface)}::{im.Name}");
            }
        }
    }

    private static TypeReference SubstFrom(TypeReference t, TypeReference view) => TypeSystem.Subst(t, view as GenericInstanceType, null);
}

using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>
/// Structural checks of what Cecil decoded, before the verifier's rules look at it. Cecil reads
/// leniently: a token or coded index that names no row becomes null (a call whose operand is
/// null, an attribute without a constructor, a member reference without a declaring type), and a
/// token naming the wrong table becomes the wrong kind of object (a call whose operand is a
/// field). Such metadata is corrupt, not a rule broken by a readable assembly. Types, members and
/// signatures are shared by all code, so a corrupt one makes the input unusable (SV0001, checked
/// before any rule); a corrupt method body (SV0003) is reported for its method and the other
/// methods are still verified. Either way the rules never meet a null or a wrong kind.
/// </summary>
internal static class MetadataCheck
{
    private const int MaxDepth = 64;

    /// <summary>The assembly's and module's attributes and references, and every type with its members' signatures.</summary>
    public static void Module(ModuleDefinition module)
    {
        foreach (var r in module.AssemblyReferences)
            if (string.IsNullOrEmpty(r.Name)) Corrupt("an assembly reference without a name");
        Attributes(module.Assembly, "the assembly");
        Attributes(module, "the module");
        var stack = new Stack<TypeDefinition>(module.Types);
        int guard = 0;
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (++guard > 1_000_000) Corrupt("nested types form a cycle");
            string where = SafeName(t);
            try
            {
                Type(t);
                foreach (var m in t.Methods) Method(m);
            }
            catch (UnusableInputException e) { throw new UnusableInputException(e.Code, $"{where}: {e.Message}"); }
            foreach (var n in t.NestedTypes) stack.Push(n);
        }
    }

    private static string SafeName(TypeReference t)
    {
        try { return t.FullName; } catch (Exception) { return t.Name ?? "?"; }
    }

    /// <summary>A type's base, interfaces, generic parameters, fields, properties, events and attributes.</summary>
    private static void Type(TypeDefinition t)
    {
        if (t.Name == null) Corrupt("a type without a name");
        if (t.BaseType != null) TypeRef(t.BaseType, "the base type", 0);
        foreach (var i in t.Interfaces)
        {
            if (i.InterfaceType == null) Corrupt("an interface implementation that names no type");
            TypeRef(i.InterfaceType, "an interface", 0);
            Attributes(i, "an interface implementation");
        }
        GenericParameters(t);
        Attributes(t, "the type");
        foreach (var f in t.Fields)
        {
            if (f.Name == null) Corrupt("a field without a name");
            if (f.FieldType == null) Corrupt($"field {f.Name} has no type");
            TypeRef(f.FieldType, $"field {f.Name}", 0);
            Attributes(f, $"field {f.Name}");
        }
        foreach (var p in t.Properties)
        {
            if (p.PropertyType == null) Corrupt($"property {p.Name} has no type");
            TypeRef(p.PropertyType, $"property {p.Name}", 0);
            Attributes(p, $"property {p.Name}");
        }
        foreach (var e in t.Events)
        {
            if (e.EventType == null) Corrupt($"event {e.Name} has no type");
            TypeRef(e.EventType, $"event {e.Name}", 0);
            Attributes(e, $"event {e.Name}");
        }
    }

    /// <summary>A method's signature, generic parameters, overrides and attributes.</summary>
    private static void Method(MethodDefinition m)
    {
        if (m.Name == null) Corrupt("a method without a name");
        Signature(m, "the method's signature");
        GenericParameters(m);
        Attributes(m, "the method");
        Attributes(m.MethodReturnType, "the return value");
        foreach (var p in m.Parameters) Attributes(p, $"parameter {p.Name}");
        foreach (var o in m.Overrides)
        {
            if (o == null) Corrupt("an explicit override (MethodImpl) that names no method");
            MemberRef(o, "an explicit override");
        }
    }

    /// <summary>A method body: local types, catch types, and every operand of the kind its opcode needs.</summary>
    public static void Body(MethodBody body)
    {
        foreach (var v in body.Variables)
        {
            if (v.VariableType == null) CorruptBody($"local {v.Index} has no type");
            TypeRef(v.VariableType, $"local {v.Index}", 0, body: true);
        }
        foreach (var eh in body.ExceptionHandlers)
        {
            if (eh.HandlerType == ExceptionHandlerType.Catch && eh.CatchType == null) CorruptBody("a catch clause whose class token names no type");
            if (eh.CatchType != null) TypeRef(eh.CatchType, "a catch clause", 0, body: true);
        }
        foreach (var ins in body.Instructions) Operand(ins);
    }

    private static void Operand(Instruction ins)
    {
        string at = $"IL_{ins.Offset:x4}: {ins.OpCode.Name}";
        object o = ins.Operand;
        switch (ins.OpCode.OperandType)
        {
            case OperandType.InlineMethod:
                if (o is not MethodReference mr) { CorruptBody($"{at} has a token that names no method ({Kind(o)})"); return; }
                MemberRef(mr, at, body: true);
                break;
            case OperandType.InlineField:
                if (o is not FieldReference fr) { CorruptBody($"{at} has a token that names no field ({Kind(o)})"); return; }
                MemberRef(fr, at, body: true);
                break;
            case OperandType.InlineType:
                if (o is not TypeReference tr) { CorruptBody($"{at} has a token that names no type ({Kind(o)})"); return; }
                TypeRef(tr, at, 0, body: true);
                break;
            case OperandType.InlineTok:
                switch (o)
                {
                    case TypeReference t: TypeRef(t, at, 0, body: true); break;
                    case MemberReference m: MemberRef(m, at, body: true); break;
                    default: CorruptBody($"{at} has a token that names no type, method or field ({Kind(o)})"); break;
                }
                break;
            case OperandType.InlineString:
                if (o is not string) CorruptBody($"{at} has a token that names no string ({Kind(o)})");
                break;
            case OperandType.InlineSig:
                if (o is not CallSite cs) { CorruptBody($"{at} has a token that names no signature ({Kind(o)})"); return; }
                Signature(cs, at, body: true);
                break;
        }
    }

    private static string Kind(object o) => o == null ? "nothing" : o.GetType().Name;

    private static void MemberRef(MemberReference m, string what, bool body = false)
    {
        if (m.Name == null) Fail(body, $"{what}: a member reference without a name");
        if (m.DeclaringType == null) Fail(body, $"{what}: {m.Name} has no declaring type");
        TypeRef(m.DeclaringType, what, 0, body);
        switch (m)
        {
            case GenericInstanceMethod gim:
                if (gim.ElementMethod == null) Fail(body, $"{what}: a method instantiation of no method");
                foreach (var a in gim.GenericArguments) TypeRef(a, what, 1, body);
                MemberRef(gim.ElementMethod, what, body);
                break;
            case MethodReference mr:
                Signature(mr, what, body);
                break;
            case FieldReference fr:
                if (fr.FieldType == null) Fail(body, $"{what}: field {fr.Name} has no type");
                TypeRef(fr.FieldType, what, 0, body);
                break;
        }
    }

    private static void Signature(IMethodSignature m, string what, bool body = false)
    {
        if (m.ReturnType == null) Fail(body, $"{what}: no return type");
        TypeRef(m.ReturnType, what, 0, body);
        foreach (var p in m.Parameters)
        {
            if (p?.ParameterType == null) Fail(body, $"{what}: a parameter without a type");
            TypeRef(p.ParameterType, what, 0, body);
        }
    }

    /// <summary>A type and everything it is built from has a name and its parts (element types, arguments, modifiers) exist.</summary>
    private static void TypeRef(TypeReference t, string what, int depth, bool body = false)
    {
        if (t == null) Fail(body, $"{what}: a type that names nothing");
        if (depth > MaxDepth) Fail(body, $"{what}: a type nested more than {MaxDepth} deep");
        if (t.Name == null) Fail(body, $"{what}: a type without a name");
        switch (t)
        {
            case GenericInstanceType g:
                if (g.ElementType == null) Fail(body, $"{what}: an instantiation of no type");
                TypeRef(g.ElementType, what, depth + 1, body);
                foreach (var a in g.GenericArguments) TypeRef(a, what, depth + 1, body);
                break;
            case IModifierType mt:
                if (mt.ModifierType == null || mt.ElementType == null) Fail(body, $"{what}: a custom modifier without its types");
                TypeRef(mt.ModifierType, what, depth + 1, body);
                TypeRef(mt.ElementType, what, depth + 1, body);
                break;
            case FunctionPointerType fp:
                Signature(fp, what, body);
                break;
            case TypeSpecification ts:
                if (ts.ElementType == null) Fail(body, $"{what}: a type specification without its element type");
                TypeRef(ts.ElementType, what, depth + 1, body);
                break;
            case GenericParameter:
                break;
            default:
                if (t.DeclaringType != null) TypeRef(t.DeclaringType, what, depth + 1, body);
                break;
        }
    }

    private static void GenericParameters(IGenericParameterProvider p)
    {
        if (!p.HasGenericParameters) return;
        foreach (var g in p.GenericParameters)
        {
            if (g.Name == null) Corrupt("a generic parameter without a name");
            foreach (var c in g.Constraints)
            {
                if (c.ConstraintType == null) Corrupt($"a constraint on {g.Name} that names no type");
                TypeRef(c.ConstraintType, $"a constraint on {g.Name}", 0);
            }
            Attributes(g, $"generic parameter {g.Name}");
        }
    }

    private static void Attributes(ICustomAttributeProvider p, string what)
    {
        if (p == null || !p.HasCustomAttributes) return;
        foreach (var a in p.CustomAttributes)
        {
            var ctor = a.Constructor;
            if (ctor == null) Corrupt($"an attribute of {what} names no constructor");
            if (ctor.DeclaringType == null) Corrupt($"an attribute of {what} has a constructor without a declaring type");
            MemberRef(ctor, $"an attribute of {what}");
        }
    }

    private static void Fail(bool body, string message)
    {
        if (body) CorruptBody(message);
        Corrupt(message);
    }

    private static void Corrupt(string message) => throw new UnusableInputException(Codes.NotAnAssembly, "corrupt metadata: " + message);

    private static void CorruptBody(string message) => throw new UnusableInputException(Codes.CorruptBody, "corrupt method body: " + message);
}

using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.FaultCampaign.Mutation;

/// <summary>
/// Small IL edits shared by the operators. An edit never moves a branch target: the instruction at
/// the site is changed in place (so every branch and handler boundary that names it still lands on
/// the edit's first instruction) and the rest is inserted after it.
/// </summary>
public static class IlEdit
{
    /// <summary>How many values a call takes off the stack (its parameters and, unless static, the instance).</summary>
    public static int CallPops(MethodReference callee) => callee.Parameters.Count + (callee.HasThis && !callee.ExplicitThis ? 1 : 0);

    public static bool IsCall(Instruction i) => i.OpCode.Code is Code.Call or Code.Callvirt;

    public static bool IsConditionalBranch(Instruction i) => i.OpCode.FlowControl == FlowControl.Cond_Branch && i.OpCode.Code != Code.Switch;

    /// <summary>Values a conditional branch compares (1 for brtrue/brfalse, 2 for the comparisons).</summary>
    public static int BranchPops(Instruction i) => i.OpCode.Code is Code.Brtrue or Code.Brfalse or Code.Brtrue_S or Code.Brfalse_S ? 1 : 2;

    /// <summary>An instruction that takes nothing and pushes one value, so it can be moved or repeated alone.</summary>
    public static bool IsSimplePush(Instruction i) => i.OpCode.Code switch
    {
        Code.Ldarg or Code.Ldarg_S or Code.Ldarg_0 or Code.Ldarg_1 or Code.Ldarg_2 or Code.Ldarg_3 => true,
        Code.Ldloc or Code.Ldloc_S or Code.Ldloc_0 or Code.Ldloc_1 or Code.Ldloc_2 or Code.Ldloc_3 => true,
        Code.Ldarga or Code.Ldarga_S or Code.Ldloca or Code.Ldloca_S => true,
        Code.Ldc_I4 or Code.Ldc_I4_S or Code.Ldc_I8 or Code.Ldc_R4 or Code.Ldc_R8 or Code.Ldnull or Code.Ldstr => true,
        Code.Ldc_I4_0 or Code.Ldc_I4_1 or Code.Ldc_I4_2 or Code.Ldc_I4_3 or Code.Ldc_I4_4 or Code.Ldc_I4_5 or Code.Ldc_I4_6 or Code.Ldc_I4_7 or Code.Ldc_I4_8 or Code.Ldc_I4_M1 => true,
        Code.Ldsfld or Code.Ldsflda => true,
        _ => false,
    };

    /// <summary>Whether a branch, switch or exception-handler boundary names the instruction.</summary>
    public static bool IsTarget(MethodBody body, Instruction target)
    {
        foreach (var i in body.Instructions)
        {
            if (i.Operand == target) return true;
            if (i.Operand is Instruction[] many && Array.IndexOf(many, target) >= 0) return true;
        }
        foreach (var h in body.ExceptionHandlers)
            if (h.TryStart == target || h.TryEnd == target || h.HandlerStart == target || h.HandlerEnd == target || h.FilterStart == target) return true;
        return false;
    }

    /// <summary>
    /// The instruction that pushes a default value of <paramref name="type"/>: null for references,
    /// 0 (or -1 when <paramref name="minusOne"/>) for the integer kinds and enums; null when the type
    /// has no one-instruction default (structs, generic parameters).
    /// </summary>
    public static Instruction Default(TypeReference type, bool minusOne = false)
    {
        if (type.IsGenericParameter || type.IsByReference || type.IsPointer || type.IsFunctionPointer || type.ContainsGenericParameter) return null;
        switch (type.MetadataType)
        {
            case MetadataType.Boolean: case MetadataType.Char:
            case MetadataType.SByte: case MetadataType.Byte: case MetadataType.Int16: case MetadataType.UInt16:
            case MetadataType.Int32: case MetadataType.UInt32:
                return Instruction.Create(OpCodes.Ldc_I4, minusOne ? -1 : 0);
            case MetadataType.Int64: case MetadataType.UInt64:
                return Instruction.Create(OpCodes.Ldc_I8, minusOne ? -1L : 0L);
            case MetadataType.Single: return minusOne ? null : Instruction.Create(OpCodes.Ldc_R4, 0f);
            case MetadataType.Double: return minusOne ? null : Instruction.Create(OpCodes.Ldc_R8, 0d);
            case MetadataType.String: case MetadataType.Object: case MetadataType.Array: case MetadataType.Class:
                return minusOne ? null : Instruction.Create(OpCodes.Ldnull);
            case MetadataType.ValueType:
                var def = Resolve(type);
                if (def != null && def.IsEnum)
                {
                    var underlying = def.Fields.FirstOrDefault(f => !f.IsStatic)?.FieldType;
                    return underlying == null ? null : Default(underlying, minusOne);
                }
                return null;
            case MetadataType.GenericInstance:
                var g = Resolve(type);
                return g != null && !g.IsValueType && !minusOne ? Instruction.Create(OpCodes.Ldnull) : null;
            default:
                return null;
        }
    }

    public static TypeDefinition Resolve(TypeReference type)
    {
        try { return type.Resolve(); }
        catch (AssemblyResolutionException) { return null; }
    }

    /// <summary>
    /// Turns <paramref name="at"/> into <paramref name="pops"/> pops followed by <paramref name="then"/>
    /// (the first of them in place of <paramref name="at"/>, or a nop when there is nothing to emit).
    /// </summary>
    public static void ReplaceWithPops(MethodBody body, Instruction at, int pops, params Instruction[] then)
    {
        var seq = new List<Instruction>();
        for (int k = 0; k < pops; k++) seq.Add(Instruction.Create(OpCodes.Pop));
        seq.AddRange(then.Where(t => t != null));
        ReplaceWith(body, at, seq);
    }

    /// <summary>Puts <paramref name="seq"/> where <paramref name="at"/> was, keeping <paramref name="at"/> as its first instruction.</summary>
    public static void ReplaceWith(MethodBody body, Instruction at, IReadOnlyList<Instruction> seq)
    {
        if (seq.Count == 0) { at.OpCode = OpCodes.Nop; at.Operand = null; return; }
        at.OpCode = seq[0].OpCode;
        at.Operand = seq[0].Operand;
        InsertAfter(body, at, seq.Skip(1));
    }

    public static void InsertAfter(MethodBody body, Instruction after, IEnumerable<Instruction> seq)
    {
        var il = body.GetILProcessor();
        var prev = after;
        foreach (var s in seq) { il.InsertAfter(prev, s); prev = s; }
    }

    /// <summary>The type a load instruction pushes, or null when it is not a load this engine replaces.</summary>
    public static TypeReference LoadedType(MethodDefinition method, Instruction i)
    {
        switch (i.OpCode.Code)
        {
            case Code.Ldloc: case Code.Ldloc_S: return (i.Operand as VariableDefinition)?.VariableType;
            case Code.Ldarg: case Code.Ldarg_S:
                var p = i.Operand as ParameterDefinition;
                return p == null || p == method.Body.ThisParameter || p.Index < 0 ? null : p.ParameterType;
            case Code.Ldfld: case Code.Ldsfld: return (i.Operand as FieldReference)?.FieldType;
            case Code.Call: case Code.Callvirt:
                var m = i.Operand as MethodReference;
                return m == null || m.ReturnType.MetadataType == MetadataType.Void ? null : m.ReturnType;
            default: return null;
        }
    }

    public static string Short(MethodReference m) => m.DeclaringType.Name + "::" + m.Name;
}

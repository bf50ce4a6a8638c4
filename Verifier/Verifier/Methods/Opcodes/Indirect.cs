using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Opcode family: ldind.*, stind.*: loads and stores through a managed reference.</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Checks and executes one instruction of this family; returns whether control falls through.</summary>
    private bool StepIndirect(Instruction ins, State s, Code code)
    {
        switch (code)
        {
            case Code.Ldind_I1: case Code.Ldind_U1: LdInd(s, "System.SByte", VK.I4); return true;
            case Code.Ldind_I2: case Code.Ldind_U2: LdInd(s, "System.Int16", VK.I4); return true;
            case Code.Ldind_I4: case Code.Ldind_U4: LdInd(s, "System.Int32", VK.I4); return true;
            case Code.Ldind_I8: LdInd(s, "System.Int64", VK.I8); return true;
            case Code.Ldind_I: LdInd(s, "System.IntPtr", VK.I); return true;
            case Code.Ldind_R4: LdInd(s, "System.Single", VK.F); return true;
            case Code.Ldind_R8: LdInd(s, "System.Double", VK.F); return true;
            case Code.Ldind_Ref:
            {
                var a = Pop(s);
                RequireByRef(a);
                var e = FromType(a.T);
                if (e.K != VK.Ref) throw Fail(Codes.StackType, $"ldind.ref through {Show(a)}");
                Push(s, e);
                return true;
            }
            case Code.Stind_I1: StInd(s, "System.SByte", VK.I4); return true;
            case Code.Stind_I2: StInd(s, "System.Int16", VK.I4); return true;
            case Code.Stind_I4: StInd(s, "System.Int32", VK.I4); return true;
            case Code.Stind_I8: StInd(s, "System.Int64", VK.I8); return true;
            case Code.Stind_I: StInd(s, "System.IntPtr", VK.I); return true;
            case Code.Stind_R4: StInd(s, "System.Single", VK.F); return true;
            case Code.Stind_R8: StInd(s, "System.Double", VK.F); return true;
            case Code.Stind_Ref:
            {
                var v = Pop(s); var a = Pop(s);
                RequireByRef(a);
                if (FromType(a.T).K != VK.Ref) throw Fail(Codes.StackType, $"stind.ref through {Show(a)}");
                Expect(v, a.T, Codes.StackType, "stind.ref");
                StoreThrough(s, a, v, a.T);
                return true;
            }
            default: throw new InvalidOperationException($"{ins.OpCode.Name} is not in this opcode family (see Step)");
        }
    }

    private void RequireByRef(V a)
    {
        if (a.K == VK.ByRef) return;
        if (a.K is VK.I or VK.I4 or VK.I8) throw Fail(Codes.UnverifiableOpcode, $"{OpName()} through a native pointer ({Show(a)}) is not allowed");
        throw Fail(Codes.StackType, $"{OpName()} needs a managed reference, not {Show(a)}");
    }

    private void LdInd(State s, string type, VK k)
    {
        var a = Pop(s);
        RequireByRef(a);
        if (_ts.ReducedKey(a.T) != _ts.ReducedKey(_ts.CorType("System", type.Substring(7)))) throw Fail(Codes.StackType, $"{OpName()} through {Show(a)}");
        Push(s, V.Of(k));
    }

    private void StInd(State s, string type, VK k)
    {
        var v = Pop(s); var a = Pop(s);
        RequireByRef(a);
        if (_ts.ReducedKey(a.T) != _ts.ReducedKey(_ts.CorType("System", type.Substring(7)))) throw Fail(Codes.StackType, $"{OpName()} through {Show(a)}");
        if (!(v.K == k || (k == VK.I && v.K == VK.I4) || (k == VK.I4 && v.K == VK.I))) throw Fail(Codes.StackType, $"{OpName()} of {Show(v)}");
        StoreThrough(s, a, v, a.T);
    }
}

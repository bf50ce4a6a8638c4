using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Opcode family: add ... xor, shifts, neg, not, ckfinite, conv.*, ceq/cgt/clt: numeric operands (III.1.5 tables).</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Checks and executes one instruction of this family; returns whether control falls through.</summary>
    private bool StepArithmetic(Instruction ins, State s, Code code)
    {
        switch (code)
        {
            case Code.Add: case Code.Sub: case Code.Mul: case Code.Div: case Code.Rem:
            case Code.Add_Ovf: case Code.Add_Ovf_Un: case Code.Sub_Ovf: case Code.Sub_Ovf_Un: case Code.Mul_Ovf: case Code.Mul_Ovf_Un: case Code.Div_Un: case Code.Rem_Un:
            case Code.And: case Code.Or: case Code.Xor:
            {
                var b = Pop(s); var a = Pop(s);
                bool intOnly = code is Code.And or Code.Or or Code.Xor or Code.Div_Un or Code.Rem_Un or Code.Add_Ovf_Un or Code.Sub_Ovf_Un or Code.Mul_Ovf_Un or Code.Add_Ovf or Code.Sub_Ovf or Code.Mul_Ovf;
                VK r;
                if (a.K == b.K && IsNumeric(a.K)) r = a.K;
                else if ((a.K == VK.I4 && b.K == VK.I) || (a.K == VK.I && b.K == VK.I4)) r = VK.I;
                else throw Fail(Codes.StackType, $"{ins.OpCode.Name} on {Show(a)} and {Show(b)}{(a.K == VK.ByRef || b.K == VK.ByRef ? " (arithmetic on references is unverifiable)" : "")}");
                if (intOnly && r == VK.F) throw Fail(Codes.StackType, $"{ins.OpCode.Name} on floating point");
                Push(s, V.Of(r));
                return true;
            }
            case Code.Shl: case Code.Shr: case Code.Shr_Un:
            {
                var b = Pop(s); var a = Pop(s);
                if (!IsInteger(a.K) || b.K is not (VK.I4 or VK.I)) throw Fail(Codes.StackType, $"{ins.OpCode.Name} on {Show(a)} and {Show(b)}");
                Push(s, V.Of(a.K));
                return true;
            }
            case Code.Neg: { var a = Pop(s); if (!IsNumeric(a.K)) throw Fail(Codes.StackType, $"neg on {Show(a)}"); Push(s, V.Of(a.K)); return true; }
            case Code.Not: { var a = Pop(s); if (!IsInteger(a.K)) throw Fail(Codes.StackType, $"not on {Show(a)}"); Push(s, V.Of(a.K)); return true; }
            case Code.Ckfinite: { var a = Pop(s); if (a.K != VK.F) throw Fail(Codes.StackType, $"ckfinite on {Show(a)}"); Push(s, V.Of(VK.F)); return true; }

            case Code.Conv_I1: case Code.Conv_I2: case Code.Conv_I4: case Code.Conv_U1: case Code.Conv_U2: case Code.Conv_U4:
            case Code.Conv_Ovf_I1: case Code.Conv_Ovf_I2: case Code.Conv_Ovf_I4: case Code.Conv_Ovf_U1: case Code.Conv_Ovf_U2: case Code.Conv_Ovf_U4:
            case Code.Conv_Ovf_I1_Un: case Code.Conv_Ovf_I2_Un: case Code.Conv_Ovf_I4_Un: case Code.Conv_Ovf_U1_Un: case Code.Conv_Ovf_U2_Un: case Code.Conv_Ovf_U4_Un:
                Conv(s, VK.I4); return true;
            case Code.Conv_I8: case Code.Conv_U8: case Code.Conv_Ovf_I8: case Code.Conv_Ovf_U8: case Code.Conv_Ovf_I8_Un: case Code.Conv_Ovf_U8_Un:
                Conv(s, VK.I8); return true;
            case Code.Conv_I: case Code.Conv_U: case Code.Conv_Ovf_I: case Code.Conv_Ovf_U: case Code.Conv_Ovf_I_Un: case Code.Conv_Ovf_U_Un:
                Conv(s, VK.I); return true;
            case Code.Conv_R4: case Code.Conv_R8: case Code.Conv_R_Un:
                Conv(s, VK.F); return true;

            case Code.Ceq: case Code.Cgt: case Code.Cgt_Un: case Code.Clt: case Code.Clt_Un:
            {
                var b = Pop(s); var a = Pop(s);
                CheckCompare(a, b, code is Code.Ceq or Code.Cgt_Un, ins);
                // Comparisons of constants and tests of tracked values stay known (Conditions.cs).
                Push(s, code == Code.Ceq ? CeqResult(a, b) : code == Code.Cgt_Un ? CgtUnResult(a, b) : V.Of(VK.I4));
                return true;
            }
            default: throw new InvalidOperationException($"{ins.OpCode.Name} is not in this opcode family (see Step)");
        }
    }

    private void CheckCompare(V a, V b, bool refsOk, Instruction ins)
    {
        bool ok = (a.K == b.K && IsNumeric(a.K))
            || (a.K == VK.I4 && b.K == VK.I) || (a.K == VK.I && b.K == VK.I4)
            || (refsOk && a.K is VK.Ref or VK.Null && b.K is VK.Ref or VK.Null && !a.Is(VF.UninitThis) && !b.Is(VF.UninitThis))
            || (a.K == VK.ByRef && b.K == VK.ByRef && (ins.OpCode.Code is Code.Ceq or Code.Beq or Code.Beq_S or Code.Bne_Un or Code.Bne_Un_S));
        if (!ok) throw Fail(Codes.StackType, $"{ins.OpCode.Name} compares {Show(a)} with {Show(b)}");
    }

    private void Conv(State s, VK to)
    {
        var a = Pop(s);
        if (!IsNumeric(a.K)) throw Fail(a.K == VK.ByRef ? Codes.UnverifiableOpcode : Codes.StackType, $"{OpName()} on {Show(a)}{(a.K == VK.ByRef ? " (turns a reference into a number)" : "")}");
        Push(s, V.Of(to));
    }
}

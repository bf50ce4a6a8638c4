using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Opcode family: ldnull, ldc.*, ldstr, dup, pop: constants and the evaluation stack itself.</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Checks and executes one instruction of this family; returns whether control falls through.</summary>
    private bool StepStackAndConstants(Instruction ins, State s, Code code)
    {
        switch (code)
        {
            case Code.Ldnull: Push(s, V.Of(VK.Null)); return true;
            case Code.Ldc_I4_M1: case Code.Ldc_I4_0: case Code.Ldc_I4_1: case Code.Ldc_I4_2: case Code.Ldc_I4_3: case Code.Ldc_I4_4:
            case Code.Ldc_I4_5: case Code.Ldc_I4_6: case Code.Ldc_I4_7: case Code.Ldc_I4_8: case Code.Ldc_I4_S: case Code.Ldc_I4:
                // The value is known (a flag's constant: Conditions.cs).
                Push(s, Const(LdcValue(ins))); return true;
            case Code.Ldc_I8: Push(s, V.Of(VK.I8)); return true;
            case Code.Ldc_R4: case Code.Ldc_R8: Push(s, V.Of(VK.F)); return true;
            case Code.Ldstr: Push(s, new V { K = VK.Ref, T = _ts.String }); return true;
            case Code.Dup:
            {
                // Both copies are one value (dup; ldvirtftn; newobj binds the method to the object it was looked up on).
                var v = Peek(s);
                v.Id = _cur + 1;
                s.S[s.N - 1].Id = v.Id;
                Push(s, v);
                return true;
            }
            case Code.Pop: Pop(s); return true;
            default: throw new InvalidOperationException($"{ins.OpCode.Name} is not in this opcode family (see Step)");
        }
    }

    private static int LdcValue(Instruction ins) => ins.OpCode.Code switch
    {
        Code.Ldc_I4_M1 => -1, Code.Ldc_I4_0 => 0, Code.Ldc_I4_1 => 1, Code.Ldc_I4_2 => 2, Code.Ldc_I4_3 => 3, Code.Ldc_I4_4 => 4,
        Code.Ldc_I4_5 => 5, Code.Ldc_I4_6 => 6, Code.Ldc_I4_7 => 7, Code.Ldc_I4_8 => 8,
        _ => ins.Operand switch { sbyte b => b, int n => n, byte u => u, _ => 0 },
    };
}

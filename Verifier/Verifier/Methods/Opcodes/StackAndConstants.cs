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
                Push(s, V.Of(VK.I4)); return true;
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
}

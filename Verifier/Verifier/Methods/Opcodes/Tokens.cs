using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Opcode family: ldtoken: only array initialisation from this assembly's constant data (everything else is reflection).</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Checks and executes one instruction of this family; returns whether control falls through.</summary>
    private bool StepTokens(Instruction ins, State s, Code code)
    {
        switch (code)
        {
            case Code.Ldtoken:
            {
                var tok = ins.Operand;
                switch (tok)
                {
                    // typeof: a runtime type handle is reflection, and the core library has none (ilc
                    // cannot compile it: it needs Internal.Runtime.CompilerHelpers.LdTokenHelpers).
                    case TypeReference: throw Fail(Codes.Reflection, "ldtoken of a type (typeof) is reflection, which SIPs do not have");
                    case FieldReference f:
                        // Only for RuntimeHelpers.InitializeArray, which copies compile-time data into a new array.
                        if (!(_cur + 1 < _ins.Length && _ins[_cur + 1].OpCode.Code == Code.Call && _ins[_cur + 1].Operand is MethodReference im && im.Name == "InitializeArray" && im.DeclaringType.FullName == "System.Runtime.CompilerServices.RuntimeHelpers"))
                            throw Fail(Codes.Reflection, $"ldtoken of field {f.Name} outside array initialisation (reflection)");
                        var fd = _ts.Resolve(f);
                        if (!fd.HasFieldRVA || !fd.IsStatic || fd.Module != _m.Module) throw Fail(Codes.Reflection, $"array initialisation from {f.Name}, which is not this assembly's constant data");
                        Push(s, new V { K = VK.Val, T = _ts.CorType("System", "RuntimeFieldHandle") });
                        break;
                    case MethodReference mr: throw Fail(Codes.Reflection, $"ldtoken of method {mr.Name} (reflection)");
                    default: throw Fail(Codes.StackType, "bad ldtoken operand");
                }
                return true;
            }
            default: throw new InvalidOperationException($"{ins.OpCode.Name} is not in this opcode family (see Step)");
        }
    }

    private TypeReference Token(Instruction ins)
    {
        if (ins.Operand is not TypeReference t) throw Fail(Codes.StackType, $"{ins.OpCode.Name} without a type operand");
        _av.CheckTypeUse(_m, ins.Offset, t);
        return t;
    }
}

using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Opcode family: ldarg, ldarga, starg, ldloc, ldloca, stloc: slots of the frame (a store over a tracked value drops it).</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Checks and executes one instruction of this family; returns whether control falls through.</summary>
    private bool StepLocalsAndArguments(Instruction ins, State s, Code code)
    {
        switch (code)
        {
            case Code.Ldarg_0: case Code.Ldarg_1: case Code.Ldarg_2: case Code.Ldarg_3: case Code.Ldarg_S: case Code.Ldarg:
            {
                int a = ArgIndex(ins);
                var v = s.A[a];
                if (a == 0 && _m.HasThis && _ctorOfClass && !s.ThisInit) v.F |= VF.UninitThis;
                if (a == 0 && _thisTracked) v.F |= VF.This;
                Push(s, v);
                return true;
            }
            case Code.Ldarga_S: case Code.Ldarga:
            {
                int a = ArgIndex(ins);
                if (s.A[a].K == VK.ByRef) throw Fail(Codes.StackType, "address of a byref argument");
                if (a == 0 && _m.HasThis && _ctorOfClass && !s.ThisInit) throw Fail(Codes.Uninitialized, "address of 'this' before the base constructor ran");
                Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(_argTypes[a]), F = VF.Local, Home = -(a + 1), Track = s.A[a].Track });
                return true;
            }
            case Code.Starg_S: case Code.Starg:
            {
                int a = ArgIndex(ins);
                if (a == 0 && _m.HasThis) throw Fail(Codes.StackType, "starg to 'this'");
                var v = Pop(s);
                Expect(v, _argTypes[a], Codes.StackType, $"starg {a}");
                var nv = s.A[a]; nv.F = v.F & (VF.Local | VF.ReadOnly | VF.ElementRO); nv.Home = v.Home; nv.Track = IsTrackedSlot(v) ? v.Track : 0; nv.C = 0;
                int was = IsValueSlot(s.A[a]) ? s.A[a].Track : 0;
                s.A[a] = nv;
                if (was != nv.Track) Dropped(s, was, $"argument {a} is overwritten");
                return true;
            }
            case Code.Ldloc_0: case Code.Ldloc_1: case Code.Ldloc_2: case Code.Ldloc_3: case Code.Ldloc_S: case Code.Ldloc:
                Push(s, s.L[LocIndex(ins)]);
                return true;
            case Code.Ldloca_S: case Code.Ldloca:
            {
                int l = LocIndex(ins);
                if (s.L[l].K == VK.ByRef) throw Fail(Codes.StackType, "address of a byref local");
                Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(_body.Variables[l].VariableType), F = VF.Local, Home = l + 1, Track = s.L[l].Track });
                return true;
            }
            case Code.Stloc_0: case Code.Stloc_1: case Code.Stloc_2: case Code.Stloc_3: case Code.Stloc_S: case Code.Stloc:
            {
                int l = LocIndex(ins);
                var v = Pop(s);
                Expect(v, _body.Variables[l].VariableType, Codes.StackType, $"stloc {l}");
                var nv = s.L[l]; nv.F = v.F & (VF.Local | VF.ReadOnly | VF.ElementRO); nv.Home = v.Home; nv.Track = IsTrackedSlot(v) ? v.Track : 0; nv.C = 0;
                // An int32 local keeps what is known of it: a flag's constant, a test of a tracked value (Conditions.cs).
                if (v.K == VK.I4 && nv.K == VK.I4 && !_addressedLocals.Contains(l)) { nv.F |= v.F & (VF.Known | VF.NullTest | VF.OwnedTest | VF.RawResult); nv.C = v.C; nv.Track = v.Track; }
                int was = IsValueSlot(s.L[l]) ? s.L[l].Track : 0;
                s.L[l] = nv;
                if (was != 0 && was != nv.Track) Dropped(s, was, $"local {l} is overwritten");
                return true;
            }
            default: throw new InvalidOperationException($"{ins.OpCode.Name} is not in this opcode family (see Step)");
        }
    }

    private int ArgIndex(Instruction ins)
    {
        int a = ins.OpCode.Code switch
        {
            Code.Ldarg_0 => 0, Code.Ldarg_1 => 1, Code.Ldarg_2 => 2, Code.Ldarg_3 => 3,
            _ => ins.Operand switch { ParameterDefinition p => p.Index + (_m.HasThis ? 1 : 0) - (p.Method == _m || p.Method == null ? 0 : 0), int n => n, sbyte b => b, byte u => u, _ => -1 },
        };
        if (ins.Operand is ParameterDefinition pd && pd.Index == -1) a = 0;   // Cecil's 'this' parameter
        if (a < 0 || a >= _argTypes.Length) throw Fail(Codes.BadIndex, $"argument {a} out of range (the method has {_argTypes.Length})");
        return a;
    }

    private int LocIndex(Instruction ins)
    {
        int l = ins.OpCode.Code switch
        {
            Code.Ldloc_0 or Code.Stloc_0 => 0, Code.Ldloc_1 or Code.Stloc_1 => 1, Code.Ldloc_2 or Code.Stloc_2 => 2, Code.Ldloc_3 or Code.Stloc_3 => 3,
            _ => ins.Operand switch { VariableDefinition v => v.Index, int n => n, sbyte b => b, byte u => u, _ => -1 },
        };
        if (l < 0 || l >= _body.Variables.Count) throw Fail(Codes.BadIndex, $"local {l} out of range (the method has {_body.Variables.Count})");
        return l;
    }
}

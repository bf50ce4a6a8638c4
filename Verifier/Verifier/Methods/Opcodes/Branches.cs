using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Opcode family: br, brtrue, brfalse, beq ... blt, switch: targets, the stack at a branch, and null tests that refine ownership.</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Checks and executes one instruction of this family; returns whether control falls through.</summary>
    private bool StepBranches(Instruction ins, State s, Code code)
    {
        switch (code)
        {
            case Code.Br_S: case Code.Br:
                Branch(ins, s, (Instruction)ins.Operand, false);
                return false;

            case Code.Brfalse_S: case Code.Brfalse: case Code.Brtrue_S: case Code.Brtrue:
            {
                var v = Pop(s);
                if (v.K is not (VK.I4 or VK.I8 or VK.I or VK.Ref or VK.Null) || v.Is(VF.UninitThis)) throw Fail(Codes.StackType, $"{ins.OpCode.Name} on {Show(v)}");
                bool onTrue = code is Code.Brtrue or Code.Brtrue_S;
                // Null tests refine ownership: on the path where the value is null there is nothing to own.
                int tid = 0; bool trueMeansNull = false;
                if (v.K == VK.Ref && v.Track != 0 && _tr.IsTracked(v.T)) { tid = v.Track; trueMeansNull = false; }
                else if (v.K == VK.I4 && v.Is(VF.NullTest)) { tid = v.Track; trueMeansNull = true; }
                var taken = s.Clone();
                if (tid != 0)
                {
                    bool takenIsNull = onTrue == trueMeansNull;
                    var nullState = takenIsNull ? taken : s;
                    if (nullState.Own != null && nullState.Own.TryGetValue(tid, out byte nb) && (nb & Mixed) == 0) nullState.Own.Remove(tid);
                }
                Branch(ins, taken, (Instruction)ins.Operand, false);
                return true;
            }
            case Code.Beq_S: case Code.Beq: case Code.Bne_Un_S: case Code.Bne_Un:
            case Code.Bge_S: case Code.Bge: case Code.Bge_Un_S: case Code.Bge_Un: case Code.Bgt_S: case Code.Bgt: case Code.Bgt_Un_S: case Code.Bgt_Un:
            case Code.Ble_S: case Code.Ble: case Code.Ble_Un_S: case Code.Ble_Un: case Code.Blt_S: case Code.Blt: case Code.Blt_Un_S: case Code.Blt_Un:
            {
                var b = Pop(s); var a = Pop(s);
                bool eq = code is Code.Beq or Code.Beq_S or Code.Bne_Un or Code.Bne_Un_S;
                CheckCompare(a, b, eq || code is Code.Bgt_Un or Code.Bgt_Un_S, ins);
                Branch(ins, s.Clone(), (Instruction)ins.Operand, false);
                return true;
            }
            case Code.Switch:
            {
                var v = Pop(s);
                if (v.K != VK.I4) throw Fail(Codes.StackType, $"switch on {Show(v)}");
                foreach (var t in (Instruction[])ins.Operand) Branch(ins, s.Clone(), t, false);
                return true;
            }
            default: throw new InvalidOperationException($"{ins.OpCode.Name} is not in this opcode family (see Step)");
        }
    }

    private void Branch(Instruction ins, State s, Instruction target, bool isLeave)
    {
        if (target == null || !_index.TryGetValue(target.Offset, out int ti))
            throw Fail(Codes.BranchTarget, "branch target is not the start of an instruction of this method");
        if (_afterPrefix[ti])
            throw Fail(Codes.BranchTarget, $"branch to IL_{target.Offset:x4}, which follows a prefix: the middle of a prefixed instruction is not a branch target");
        // III.1.7.5: the stack state at every instruction follows from one forward pass, so it is empty at a backward branch.
        if (ti <= _cur && s.N != 0)
            throw Fail(Codes.StackMerge, $"backward branch to IL_{target.Offset:x4} with {s.N} value(s) on the stack (the stack must be empty at a backward branch)");
        if (!BranchAllowed(_cur, ti, isLeave))
            throw Fail(isLeave ? Codes.ExceptionRegion : Codes.BranchTarget, $"branch to IL_{target.Offset:x4} enters or leaves a protected region or handler{(isLeave ? "" : " (only leave may exit one, and a try may be entered only at its start)")}");
        if (!isLeave && _regions[ti].Length > 0 && s.N != 0)
            foreach (int r in _regions[ti]) if (Array.IndexOf(_regions[_cur], r) < 0) throw Fail(Codes.ExceptionRegion, "the stack must be empty when entering a try block");
        if (isLeave && LeaveThroughFinally(ti, s)) return;
        MergeInto(ti, s);
    }
}

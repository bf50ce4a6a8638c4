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
                // Null tests refine ownership (on the path where the value is null there is nothing
                // to own); a known flag rules one edge out (Conditions.cs).
                var taken = s.Clone();
                if (!Assume(taken, v, onTrue)) MakeDead(taken);
                if (!Assume(s, v, !onTrue)) MakeDead(s);
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
                var taken = s.Clone();
                if (eq)
                {
                    bool takenEqual = code is Code.Beq or Code.Beq_S;
                    if (!AssumeEqual(taken, a, b, takenEqual)) MakeDead(taken);
                    if (!AssumeEqual(s, a, b, !takenEqual)) MakeDead(s);
                }
                Branch(ins, taken, (Instruction)ins.Operand, false);
                return true;
            }
            case Code.Switch:
            {
                var v = Pop(s);
                if (v.K != VK.I4) throw Fail(Codes.StackType, $"switch on {Show(v)}");
                var targets = (Instruction[])ins.Operand;
                for (int k = 0; k < targets.Length; k++)
                {
                    var e = s.Clone();
                    if (!AssumeEqual(e, v, Const(k), true)) MakeDead(e);
                    Branch(ins, e, targets[k], false);
                }
                // Past the table: the value is none of 0 .. n-1 (unsigned).
                if (v.Is(VF.Known) && (uint)v.C < (uint)targets.Length) MakeDead(s);
                else if (targets.Length > 0 && !Assume(s, v, true)) MakeDead(s);
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

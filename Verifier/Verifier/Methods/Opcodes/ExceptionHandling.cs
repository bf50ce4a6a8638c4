using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Opcode family: leave, throw, rethrow, endfinally, endfilter: where each may appear and where control goes.</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Checks and executes one instruction of this family; returns whether control falls through.</summary>
    private bool StepExceptionHandling(Instruction ins, State s, Code code)
    {
        switch (code)
        {
            case Code.Leave_S: case Code.Leave:
            {
                if (_regions[_cur].Length == 0) throw Fail(Codes.ExceptionRegion, "leave outside a protected region or handler");
                if (IsInFilter(_cur)) throw Fail(Codes.ExceptionRegion, "leave inside a filter");
                // A finally or fault handler ends with endfinally only (Partition I 12.4.2.4-5): leave may not exit one.
                if (ins.Operand is Instruction lt && _index.TryGetValue(lt.Offset, out int li))
                    foreach (int r in _regions[_cur])
                        if (r % 2 == 1 && _handlers[r / 2].HandlerType is ExceptionHandlerType.Finally or ExceptionHandlerType.Fault && Array.IndexOf(_regions[li], r) < 0)
                            throw Fail(Codes.ExceptionRegion, $"leave out of a {_handlers[r / 2].HandlerType.ToString().ToLowerInvariant()} handler (it ends with endfinally)");
                s.N = 0;
                Branch(ins, s, (Instruction)ins.Operand, true);
                return false;
            }

            case Code.Throw:
            {
                var v = Pop(s);
                if (v.K is not (VK.Ref or VK.Null) || v.Is(VF.UninitThis)) throw Fail(Codes.StackType, $"throw of {Show(v)}");
                if (v.K == VK.Ref && !_ts.IsAssignableRef(v.T, _ts.CorType("System", "Exception")) && !TypeSystem.IsGenericParam(v.T))
                    throw Fail(Codes.StackType, $"throw of {Show(v)}, which is not an exception");
                if (!InCatchTry(_cur)) ThrowPastFinally(s);
                return false;
            }
            case Code.Rethrow:
                // Only in the body of a catch handler, not in a filter, finally or fault nested in one.
                if (InnermostHandler(_cur) is not { } rh || rh.Filter || rh.Clause.HandlerType is not (ExceptionHandlerType.Catch or ExceptionHandlerType.Filter))
                    throw Fail(Codes.ExceptionRegion, "rethrow outside the body of a catch handler");
                return false;
            case Code.Endfinally:
                if (InnermostHandler(_cur) is not { Filter: false } fh || fh.Clause.HandlerType is not (ExceptionHandlerType.Finally or ExceptionHandlerType.Fault))
                    throw Fail(Codes.ExceptionRegion, "endfinally outside a finally or fault handler");
                if (InTryWithin(_cur, fh.Region)) throw Fail(Codes.ExceptionRegion, "endfinally inside a try block nested in the handler (a try block is left by leave or throw only)");
                FinallyContinues(s);
                return false;
            case Code.Endfilter:
            {
                if (!IsInFilter(_cur)) throw Fail(Codes.ExceptionRegion, "endfilter outside a filter");
                if (InnermostHandler(_cur) is not { Filter: true } fl || _index[fl.Clause.HandlerStart.Offset] != _cur + 1)
                    throw Fail(Codes.ExceptionRegion, "endfilter before the end of its filter (it is the filter's last instruction)");
                if (InTryWithin(_cur, fl.Region)) throw Fail(Codes.ExceptionRegion, "endfilter inside a try block nested in the filter");
                var v = Pop(s);
                if (v.K != VK.I4 || s.N != 0) throw Fail(Codes.ExceptionRegion, "endfilter needs exactly one int32 on the stack");
                // The handler runs after the filter: it sees what the filter left in locals and arguments, and the exception.
                var hs = s.Clone();
                hs.S[0] = new V { K = VK.Ref, T = _ts.Object }; hs.N = 1;
                MergeInto(_index[fl.Clause.HandlerStart.Offset], hs, handler: true);
                return false;
            }
            default: throw new InvalidOperationException($"{ins.OpCode.Name} is not in this opcode family (see Step)");
        }
    }
}

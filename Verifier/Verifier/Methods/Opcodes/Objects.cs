using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Opcode family: ldobj, stobj, cpobj, initobj, sizeof, box, unbox, unbox.any, castclass, isinst: value types and casts.</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Checks and executes one instruction of this family; returns whether control falls through.</summary>
    private bool StepObjects(Instruction ins, State s, Code code)
    {
        switch (code)
        {
            case Code.Ldobj:
            {
                var t = Token(ins);
                var a = Pop(s);
                RequireByRef(a);
                if (!_ts.Same(a.T, t) && _ts.ReducedKey(a.T) != _ts.ReducedKey(t)) throw Fail(Codes.StackType, $"ldobj {Show(t)} through {Show(a)}");
                var v = FromType(t);
                if (IsTrackedSlot(v)) { v.Track = a.Track; Use(s, a.Track, "copied"); }
                Push(s, v);
                return true;
            }
            case Code.Stobj:
            {
                var t = Token(ins);
                var v = Pop(s); var a = Pop(s);
                RequireByRef(a);
                if (!_ts.Same(a.T, t) && _ts.ReducedKey(a.T) != _ts.ReducedKey(t)) throw Fail(Codes.StackType, $"stobj {Show(t)} through {Show(a)}");
                Expect(v, t, Codes.StackType, "stobj");
                StoreThrough(s, a, v, t);
                return true;
            }
            case Code.Cpobj:
            {
                var t = Token(ins);
                var src = Pop(s); var dst = Pop(s);
                RequireByRef(src); RequireByRef(dst);
                if (!_ts.Same(src.T, t) || !_ts.Same(dst.T, t)) throw Fail(Codes.StackType, $"cpobj {Show(t)} between {Show(src)} and {Show(dst)}");
                if (_tr.IsTracked(t)) throw Fail(Codes.StoredInHeap, "cpobj of a tracked value duplicates it");
                StoreThrough(s, dst, V.Of(VK.I4), t);
                return true;
            }
            case Code.Initobj:
            {
                var t = Token(ins);
                var a = Pop(s);
                RequireByRef(a);
                if (!_ts.Same(a.T, t)) throw Fail(Codes.StackType, $"initobj {Show(t)} on {Show(a)}");
                if (a.Is(VF.ReadOnly)) throw Fail(Codes.ByRefEscape, "initobj through a readonly reference");
                if (a.Home > 0) { int was = s.L[a.Home - 1].Track; s.L[a.Home - 1].Track = 0; Dropped(s, was, $"local {a.Home - 1} is cleared"); }
                else if (a.Home < 0 && a.Home != CallerHome) { int was = s.A[-a.Home - 1].Track; s.A[-a.Home - 1].Track = 0; Dropped(s, was, $"argument {-a.Home - 1} is cleared"); }
                return true;
            }
            case Code.Sizeof: Token(ins); Push(s, V.Of(VK.I4)); return true;

            case Code.Box:
            {
                var t = Token(ins);
                var v = Pop(s);
                if (TypeSystem.Strip(t) is ByReferenceType) throw Fail(Codes.Cast, "box of a byref type");
                if (_av.IsByRefLike(t)) throw Fail(Codes.ByRefLikeOnHeap, $"box of ref struct {Show(t)}: a ref struct may never reach the GC heap");
                if (!_ts.IsValueType(t) && !TypeSystem.IsGenericParam(t))
                {
                    // box of a reference type is a no-op (ECMA allows it).
                    Expect(v, t, Codes.Cast, "box");
                    Push(s, v);
                    return true;
                }
                Expect(v, t, Codes.Cast, "box");
                if (IsTrackedSlot(v) || _tr.IsTracked(t)) { Report(Codes.StoredInHeap, $"box of a tracked {Show(t)} puts it in a GC object"); Transfer(s, v.Track, "boxed"); }
                var r = new V { K = VK.Ref, T = t };
                if (_ts.IsValueType(t) && TypeSystem.Strip(t) is not GenericParameter && _ts.Resolve(t) is { } d && d.FullName == "System.Nullable`1")
                    r.T = ((GenericInstanceType)TypeSystem.Strip(t)).GenericArguments[0];
                Push(s, r);
                return true;
            }
            case Code.Unbox:
            {
                var t = Token(ins);
                var v = Pop(s);
                if (v.K is not (VK.Ref or VK.Null) || !_ts.IsValueType(t)) throw Fail(Codes.Cast, $"unbox {Show(t)} from {Show(v)}");
                if (_av.IsByRefLike(t)) throw Fail(Codes.ByRefLikeOnHeap, $"unbox of ref struct {Show(t)}: no boxed ref struct can exist");
                Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(t), F = VF.ReadOnly });
                return true;
            }
            case Code.Unbox_Any:
            {
                var t = Token(ins);
                var v = Pop(s);
                if (v.K is not (VK.Ref or VK.Null) || v.Is(VF.UninitThis)) throw Fail(Codes.Cast, $"unbox.any {Show(t)} from {Show(v)}");
                if (_av.IsByRefLike(t)) throw Fail(Codes.ByRefLikeOnHeap, $"unbox.any of ref struct {Show(t)}: no boxed ref struct can exist");
                Push(s, t);
                return true;
            }
            case Code.Castclass: case Code.Isinst:
            {
                var t = Token(ins);
                var v = Pop(s);
                if (v.K is not (VK.Ref or VK.Null) || v.Is(VF.UninitThis)) throw Fail(Codes.Cast, $"{ins.OpCode.Name} on {Show(v)}");
                if (TypeSystem.Strip(t) is ByReferenceType) throw Fail(Codes.Cast, $"{ins.OpCode.Name} to a byref type");
                if (_av.IsByRefLike(t)) throw Fail(Codes.ByRefLikeOnHeap, $"{ins.OpCode.Name} to ref struct {Show(t)}: no boxed ref struct can exist");
                var r = new V { K = VK.Ref, T = t };
                if (_ts.IsValueType(t) || TypeSystem.IsGenericParam(t)) r.T = t;   // a boxed value type
                if (IsTrackedSlot(v)) r.Track = v.Track;
                Push(s, r);
                return true;
            }
            default: throw new InvalidOperationException($"{ins.OpCode.Name} is not in this opcode family (see Step)");
        }
    }
}

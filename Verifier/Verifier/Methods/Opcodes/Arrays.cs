using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Opcode family: newarr, ldlen, ldelem.*, ldelema, stelem.*: vectors, element types and covariance.</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Checks and executes one instruction of this family; returns whether control falls through.</summary>
    private bool StepArrays(Instruction ins, State s, Code code)
    {
        bool ro = _prefixes[_cur].ReadOnly;
        switch (code)
        {
            case Code.Newarr:
            {
                var t = Token(ins);
                var n = Pop(s);
                if (n.K is not (VK.I4 or VK.I)) throw Fail(Codes.StackType, $"newarr length is {Show(n)}");
                if (TypeSystem.Strip(t) is ByReferenceType || (TypeSystem.Strip(t) is var st && st.FullName is "System.Void" or "System.TypedReference")) throw Fail(Codes.StackType, $"array of {Show(t)}");
                // The token is the element type, not an array type: the signature rules (SV0233) never see it.
                if (_av.IsByRefLike(t)) throw Fail(Codes.ByRefLikeOnHeap, $"newarr of ref struct {Show(t)}: an array is on the GC heap");
                Push(s, new V { K = VK.Ref, T = new ArrayType(t) });
                return true;
            }
            case Code.Ldlen:
            {
                var a = Pop(s);
                if (!(a.K == VK.Null || (a.K == VK.Ref && TypeSystem.Strip(a.T) is ArrayType { IsVector: true }))) throw Fail(Codes.ElementAccess, $"ldlen on {Show(a)}");
                Push(s, V.Of(VK.I));
                return true;
            }
            case Code.Ldelem_I1: case Code.Ldelem_U1: Ldelem(s, "System.SByte"); return true;
            case Code.Ldelem_I2: case Code.Ldelem_U2: Ldelem(s, "System.Int16"); return true;
            case Code.Ldelem_I4: case Code.Ldelem_U4: Ldelem(s, "System.Int32"); return true;
            case Code.Ldelem_I8: Ldelem(s, "System.Int64"); return true;
            case Code.Ldelem_I: Ldelem(s, "System.IntPtr"); return true;
            case Code.Ldelem_R4: Ldelem(s, "System.Single"); return true;
            case Code.Ldelem_R8: Ldelem(s, "System.Double"); return true;
            case Code.Ldelem_Ref: Ldelem(s, null); return true;
            case Code.Ldelem_Any: Ldelem(s, null, Token(ins)); return true;
            case Code.Ldelema:
            {
                var t = Token(ins);
                var idx = Pop(s); var arr = Pop(s);
                var et = ElementType(arr, idx);
                if (et != null && !_ts.Same(et, t)) throw Fail(Codes.ElementAccess, $"ldelema {Show(t)} on {Show(arr)}");
                // Without readonly., the address of an element of a covariant array could be written with the wrong type; the runtime checks the exact type.
                Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(t), F = ro ? VF.ReadOnly | VF.ElementRO : VF.None });
                return true;
            }
            case Code.Stelem_I1: Stelem(s, "System.SByte"); return true;
            case Code.Stelem_I2: Stelem(s, "System.Int16"); return true;
            case Code.Stelem_I4: Stelem(s, "System.Int32"); return true;
            case Code.Stelem_I8: Stelem(s, "System.Int64"); return true;
            case Code.Stelem_I: Stelem(s, "System.IntPtr"); return true;
            case Code.Stelem_R4: Stelem(s, "System.Single"); return true;
            case Code.Stelem_R8: Stelem(s, "System.Double"); return true;
            case Code.Stelem_Ref: Stelem(s, null); return true;
            case Code.Stelem_Any: Stelem(s, null, Token(ins)); return true;
            default: throw new InvalidOperationException($"{ins.OpCode.Name} is not in this opcode family (see Step)");
        }
    }

    private TypeReference ElementType(V arr, V idx)
    {
        if (idx.K is not (VK.I4 or VK.I)) throw Fail(Codes.ElementAccess, $"array index is {Show(idx)}");
        if (arr.K == VK.Null) return null;
        if (arr.K != VK.Ref || TypeSystem.Strip(arr.T) is not ArrayType { IsVector: true } at) throw Fail(Codes.ElementAccess, $"{OpName()} on {Show(arr)}, not a one-dimensional array");
        return at.ElementType;
    }

    private void Ldelem(State s, string prim, TypeReference tok = null)
    {
        var idx = Pop(s); var arr = Pop(s);
        var et = ElementType(arr, idx);
        if (et == null) { Push(s, tok != null ? FromType(tok) : prim == null ? V.Of(VK.Null) : FromType(_ts.CorType("System", prim.Substring(7)))); return; }
        if (tok != null) { if (!_ts.Same(et, tok) && !(FromType(et).K == VK.Ref && FromType(tok).K == VK.Ref && _ts.IsAssignableRef(et, tok))) throw Fail(Codes.ElementAccess, $"ldelem {Show(tok)} on {Show(et)}[]"); }
        else if (prim == null) { if (FromType(et).K != VK.Ref) throw Fail(Codes.ElementAccess, $"ldelem.ref on {Show(et)}[]"); }
        else if (_ts.ReducedKey(et) != _ts.ReducedKey(_ts.CorType("System", prim.Substring(7)))) throw Fail(Codes.ElementAccess, $"{OpName()} on {Show(et)}[]");
        var v = FromType(tok ?? et);
        Push(s, v);
    }

    private void Stelem(State s, string prim, TypeReference tok = null)
    {
        var v = Pop(s); var idx = Pop(s); var arr = Pop(s);
        var et = ElementType(arr, idx);
        if (et != null)
        {
            if (tok != null && !_ts.Same(et, tok) && !(FromType(et).K == VK.Ref && FromType(tok).K == VK.Ref)) throw Fail(Codes.ElementAccess, $"stelem {Show(tok)} on {Show(et)}[]");
            if (prim == null && tok == null && FromType(et).K != VK.Ref) throw Fail(Codes.ElementAccess, $"stelem.ref on {Show(et)}[]");
            if (prim != null && _ts.ReducedKey(et) != _ts.ReducedKey(_ts.CorType("System", prim.Substring(7)))) throw Fail(Codes.ElementAccess, $"{OpName()} on {Show(et)}[]");
            var target = FromType(et);
            // Reference elements: the runtime checks the exact element type (covariance); the static type only needs to be a reference.
            if (target.K == VK.Ref) { if (v.K is not (VK.Ref or VK.Null) || v.Is(VF.UninitThis)) throw Fail(Codes.ElementAccess, $"storing {Show(v)} into {Show(et)}[]"); }
            else if (!Assignable(v, tok ?? et) && !(prim != null && v.K == target.K)) throw Fail(Codes.ElementAccess, $"storing {Show(v)} into {Show(et)}[]");
            if (IsTrackedSlot(v) || _tr.IsTracked(et))
            {
                // An endpoint in an array is a borrowed view for EndpointSet.Select; exchange blocks may not live in arrays.
                if (!(v.K == VK.Ref && _tr.IsEndpoint(v.T)) && v.K != VK.Null) { Report(Codes.StoredInHeap, $"a tracked {Show(v)} is stored in an array (a GC object)"); Transfer(s, v.Track, "stored"); }
                else Use(s, v.Track, "stored in an array");
            }
        }
    }
}

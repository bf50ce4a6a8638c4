using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Verification types (III.1.8.1.2): a slot from a declared type, assignability, display.</summary>
internal sealed partial class MethodVerifier
{
    private V FromType(TypeReference t)
    {
        t = TypeSystem.Strip(t);
        switch (t)
        {
            case ByReferenceType br: return new V { K = VK.ByRef, T = TypeSystem.Strip(br.ElementType) };
            case PointerType or FunctionPointerType: return V.Of(VK.I);
            case ArrayType: return new V { K = VK.Ref, T = t };
            case GenericParameter gp: return new V { K = VK.Val, T = t };
        }
        switch (_ts.Key(t))
        {
            case "System.Boolean": case "System.Char": case "System.SByte": case "System.Byte": case "System.Int16": case "System.UInt16": case "System.Int32": case "System.UInt32": return V.Of(VK.I4);
            case "System.Int64": case "System.UInt64": return V.Of(VK.I8);
            case "System.IntPtr": case "System.UIntPtr": return V.Of(VK.I);
            case "System.Single": case "System.Double": return V.Of(VK.F);
        }
        if (_ts.IsEnum(t, out var u)) return FromType(u);
        if (_ts.IsValueType(t)) return new V { K = VK.Val, T = t };
        return new V { K = VK.Ref, T = t };
    }

    private string Show(V v) => v.K switch
    {
        VK.Ref => v.Is(VF.UninitThis) ? "uninitialised this" : _ts.Key(v.T),
        VK.Val => _ts.Key(v.T),
        VK.ByRef => "ref " + _ts.Key(v.T),
        VK.Null => "null",
        VK.I4 => "int32",
        VK.I8 => "int64",
        VK.I => "native int",
        VK.F => "float",
        VK.Ftn => "method pointer",
        _ => "?",
    };

    private static string Show(TypeReference t) => t?.FullName ?? "?";

    private string OpName() => _ins[_cur].OpCode.Name;

    /// <summary>Can a stack value <paramref name="v"/> be stored into a location of type <paramref name="t"/> (III.1.8.1.2.3)?</summary>
    private bool Assignable(V v, TypeReference t)
    {
        var target = FromType(t);
        switch (v.K)
        {
            case VK.I4: return target.K == VK.I4 || target.K == VK.I;
            case VK.I: return target.K == VK.I || target.K == VK.I4 && false;
            case VK.I8: return target.K == VK.I8;
            case VK.F: return target.K == VK.F;
            case VK.Null: return target.K == VK.Ref;
            case VK.Ref:
                if (v.Is(VF.UninitThis)) return false;
                if (target.K == VK.Ref) return _ts.IsAssignableRef(v.T, target.T);
                return false;
            case VK.Val:
                if (target.K == VK.Val) return _ts.Same(v.T, target.T);
                return false;
            case VK.ByRef:
                if (target.K != VK.ByRef) return false;
                return _ts.Same(v.T, target.T) || _ts.ReducedKey(v.T) == _ts.ReducedKey(target.T) && FromType(v.T).K != VK.Ref;
            case VK.Ftn: return false;   // a method pointer is no number (only a delegate's newobj takes one)
            default: return false;
        }
    }

    private void Expect(V v, TypeReference t, string code, string what)
    {
        if (v.Is(VF.UninitThis)) throw Fail(Codes.Uninitialized, $"{what}: 'this' used as a value before the base constructor ran");
        if (!Assignable(v, t)) throw Fail(code, $"{what}: {Show(v)} is not assignable to {Show(t)}");
    }

    private static bool IsNumeric(VK k) => k is VK.I4 or VK.I8 or VK.I or VK.F;
    private static bool IsInteger(VK k) => k is VK.I4 or VK.I8 or VK.I;
}

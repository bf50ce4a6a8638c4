using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>Verification types of ECMA-335 III.1.8.1.2 (the stack's types after reduction).</summary>
public enum VK : byte { Top, I4, I8, I, F, Ref, Null, Val, ByRef, Ftn }

[Flags]
public enum VF : ushort
{
    None = 0,
    UninitThis = 1,   // 'this' in a constructor before the base constructor ran
    ReadOnly = 2,     // a readonly byref (readonly. ldelema, initonly field, ref readonly return)
    Local = 4,        // a byref into this method's frame (local, argument, or derived from one)
    NullTest = 8,     // an int32 that is true when the tracked value Track is null (IsNull)
    This = 16,        // the 'this' pointer itself (ldarg.0 of a method that never takes its address), not just a value of its type
    Virtual = 32,     // Ftn: made by ldvirtftn (looked up on the object Id names)
    ElementRO = 64,   // ReadOnly only because of readonly. ldelema (an array element whose exact type was not checked)
    Known = 128,      // an int32 whose value is known: C (a constant through ldc, dup, stloc, ldloc)
    OwnedTest = 256,  // an int32 that is true when the tracked value Track is not null (the negation of NullTest)
    RawResult = 512,  // NullTest on a receive's result itself (ReceiveResult: 0 Message, other values: nothing received), not a bool
}

/// <summary>One slot of the evaluation stack, a local or an argument.</summary>
public struct V
{
    public VK K;
    public VF F;
    public TypeReference T;   // Ref/Val/ByRef: the (element) type
    public int Home;          // ByRef: local i => i + 1, argument j => -(j + 1), else 0
    public int Track;         // id of the tracked value this slot holds (0: none)
    public MethodReference M; // Ftn: the method (null: function pointers of different methods merged)
    public int Id;            // a value's identity on the stack (the dup that copied it, 0: none); Ftn from ldvirtftn: the object's
    public int C;             // Known int32: its value

    public static readonly V Top = new() { K = VK.Top };
    public static V Of(VK k) => new() { K = k };
    public bool Is(VF f) => (F & f) != 0;
}

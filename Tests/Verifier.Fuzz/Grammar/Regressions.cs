using Mono.Cecil.Cil;

namespace Singularity.Verifier.Fuzz.Grammar;

/// <summary>
/// Programs that once broke the batch run's oracle, run at the start of every fuzz run's first
/// batch. Each is valid; the first <see cref="Throwing"/> must end in a managed exception the
/// harness catches, the others normally.
/// </summary>
public static class Regressions
{
    public static IReadOnlyList<(string Name, GProgram Program)> All { get; } = new (string, GProgram)[]
    {
        // A reference stored into a field of a null object: the fault is in the write barrier
        // (RhpAssignRef, an asm leaf helper without unwind information), which once failed the
        // SIP instead of throwing NullReferenceException at the store.
        ("null object, reference field store", P(new List<Ty>(), new GIns(OpCodes.Ldnull), new GIns(OpCodes.Ldarg_S, new ArgRef(3)), new GIns(OpCodes.Stfld, Sym.FNodeNext), new GIns(OpCodes.Ldc_I4, 1), new GIns(OpCodes.Ret))),
        // The same through a null array (the core library's StelemRef).
        ("null array, reference element store", P(new List<Ty> { Ty.ObjArr }, new GIns(OpCodes.Ldloc_S, new LocalRef(0)), new GIns(OpCodes.Ldc_I4, 0), new GIns(OpCodes.Ldnull), new GIns(OpCodes.Stelem_Ref), new GIns(OpCodes.Ldc_I4, 2), new GIns(OpCodes.Ret))),
        // A reference field read and a virtual call through null.
        ("null object, field load", P(new List<Ty>(), new GIns(OpCodes.Ldnull), new GIns(OpCodes.Ldfld, Sym.FNodeNext), new GIns(OpCodes.Pop), new GIns(OpCodes.Ldc_I4, 3), new GIns(OpCodes.Ret))),
        ("null object, virtual call", P(new List<Ty>(), new GIns(OpCodes.Ldnull), new GIns(OpCodes.Callvirt, Sym.MNodeV), new GIns(OpCodes.Ret))),
        // `rem` on doubles and floats: ilc calls C's fmod and fmodf, which the SIP runtime lacked
        // (the batch SIP did not link). These two end normally.
        ("double remainder", P(new List<Ty>(), new GIns(OpCodes.Ldc_R8, 5.5), new GIns(OpCodes.Ldc_R8, 2.0), new GIns(OpCodes.Rem), new GIns(OpCodes.Ldc_R8, 1.5), new GIns(OpCodes.Ceq), new GIns(OpCodes.Ret))),
        ("float remainder", P(new List<Ty>(), new GIns(OpCodes.Ldc_R8, -5.5), new GIns(OpCodes.Conv_R4), new GIns(OpCodes.Ldc_R8, 2.0), new GIns(OpCodes.Conv_R4), new GIns(OpCodes.Rem), new GIns(OpCodes.Conv_R8), new GIns(OpCodes.Ldc_R8, -1.5), new GIns(OpCodes.Ceq), new GIns(OpCodes.Ret))),
    };

    public const int Throwing = 4;

    private static GProgram P(List<Ty> locals, params GIns[] code) => new() { Locals = locals, Code = code.ToList() };
}

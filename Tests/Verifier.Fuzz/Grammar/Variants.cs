using Mono.Cecil.Cil;

namespace Singularity.Verifier.Fuzz.Grammar;

/// <summary>
/// One-step-wrong variants of a valid program: one edit that usually breaks a verification rule
/// (an opcode swapped within its family, an operand naming another member, type, local or
/// argument, a constant of another type, an instruction dropped, doubled, inserted or swapped with
/// its neighbour, a branch retargeted, an exception clause moved or changed, a local retyped). Some
/// edits leave the program valid; the verifier may admit those, and the batch run then checks that
/// what it admitted is safe. Every variant still ends (forward branches only, handlers after their
/// try blocks).
/// </summary>
public static class Variants
{
    private static readonly OpCode[][] Families =
    {
        new[] { OpCodes.Ldelem_I4, OpCodes.Ldelem_I8, OpCodes.Ldelem_R8, OpCodes.Ldelem_Ref, OpCodes.Ldelem_I1, OpCodes.Ldelem_U2, OpCodes.Ldelem_I },
        new[] { OpCodes.Stelem_I4, OpCodes.Stelem_I8, OpCodes.Stelem_R8, OpCodes.Stelem_Ref, OpCodes.Stelem_I1, OpCodes.Stelem_I },
        new[] { OpCodes.Ldind_I4, OpCodes.Ldind_I8, OpCodes.Ldind_R8, OpCodes.Ldind_Ref, OpCodes.Ldind_I1, OpCodes.Ldind_I, OpCodes.Ldind_U2 },
        new[] { OpCodes.Stind_I4, OpCodes.Stind_I8, OpCodes.Stind_R8, OpCodes.Stind_Ref, OpCodes.Stind_I1, OpCodes.Stind_I },
        new[] { OpCodes.Conv_I4, OpCodes.Conv_I8, OpCodes.Conv_R8, OpCodes.Conv_U, OpCodes.Conv_I, OpCodes.Conv_Ovf_I4, OpCodes.Conv_R4, OpCodes.Conv_U8 },
        new[] { OpCodes.Add, OpCodes.Sub, OpCodes.Mul, OpCodes.Div, OpCodes.Rem, OpCodes.And, OpCodes.Or, OpCodes.Xor, OpCodes.Shl, OpCodes.Shr, OpCodes.Add_Ovf, OpCodes.Div_Un },
        new[] { OpCodes.Ceq, OpCodes.Cgt, OpCodes.Clt, OpCodes.Cgt_Un, OpCodes.Clt_Un },
        new[] { OpCodes.Neg, OpCodes.Not, OpCodes.Ckfinite, OpCodes.Ldlen, OpCodes.Dup, OpCodes.Pop, OpCodes.Nop, OpCodes.Throw, OpCodes.Ret, OpCodes.Ldnull, OpCodes.Rethrow, OpCodes.Endfinally },
        new[] { OpCodes.Brtrue, OpCodes.Brfalse, OpCodes.Br, OpCodes.Leave, OpCodes.Beq, OpCodes.Bge, OpCodes.Blt_Un },
        new[] { OpCodes.Ldloc_S, OpCodes.Ldloca_S, OpCodes.Stloc_S },
        new[] { OpCodes.Ldarg_S, OpCodes.Ldarga_S, OpCodes.Starg_S },
        new[] { OpCodes.Call, OpCodes.Callvirt, OpCodes.Newobj, OpCodes.Ldftn, OpCodes.Jmp },
        new[] { OpCodes.Ldfld, OpCodes.Ldflda, OpCodes.Ldsfld, OpCodes.Ldsflda, OpCodes.Stfld, OpCodes.Stsfld },
        new[] { OpCodes.Castclass, OpCodes.Isinst, OpCodes.Box, OpCodes.Unbox_Any, OpCodes.Unbox, OpCodes.Newarr, OpCodes.Initobj, OpCodes.Ldelema, OpCodes.Ldelem_Any, OpCodes.Stelem_Any, OpCodes.Sizeof, OpCodes.Ldobj, OpCodes.Ldtoken },
    };

    private static readonly Sym[] Types = { Sym.TInt32, Sym.TInt64, Sym.TDouble, Sym.TObject, Sym.TString, Sym.TException, Sym.TNode, Sym.TLeaf, Sym.TPair, Sym.TIntArr, Sym.TObjArr, Sym.TStrArr, Sym.THelpers };
    private static readonly Sym[] Fields = { Sym.FNodeF, Sym.FNodeG, Sym.FNodeNext, Sym.FNodeL, Sym.FNodeRO, Sym.FPairX, Sym.FPairY, Sym.FPairR, Sym.FSeven, Sym.FStrEmpty };
    private static readonly Sym[] Methods = { Sym.MNodeCtor, Sym.MLeafCtor, Sym.MNodeV, Sym.MObjCtor, Sym.MObjToString, Sym.MObjHash, Sym.MObjEquals, Sym.MStrLength, Sym.MStrChars, Sym.MStrConcat, Sym.MStrSubstring, Sym.MStrEquals, Sym.MExCtor, Sym.MTwice, Sym.MName };

    /// <summary>A variant of <paramref name="valid"/>; null if none of a few tries gave one that ends.</summary>
    public static GProgram Make(Random r, GProgram valid)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            var p = valid.Clone();
            string what = Apply(r, p);
            if (what == null || !p.Terminates()) continue;
            p.Variant = what;
            return p;
        }
        return null;
    }

    private static string Apply(Random r, GProgram p)
    {
        var code = p.Code;
        int i = r.Next(code.Count);
        var ins = code[i];
        switch (r.Next(12))
        {
            case 0:
            case 1:
            {
                var family = Families.FirstOrDefault(f => f.Contains(ins.Op));
                if (family == null) return null;
                var to = family[r.Next(family.Length)];
                if (to == ins.Op) return null;
                code[i] = ins with { Op = to };
                return $"#{i} {ins.Op.Name} -> {to.Name}";
            }
            case 2:
            {
                object arg = ins.Arg switch
                {
                    Sym s when Types.Contains(s) => Types[r.Next(Types.Length)],
                    Sym s when Fields.Contains(s) => Fields[r.Next(Fields.Length)],
                    Sym s when Methods.Contains(s) => Methods[r.Next(Methods.Length)],
                    LocalRef => new LocalRef(r.Next(p.Locals.Count + 2)),
                    ArgRef => new ArgRef(r.Next(GProgram.Args.Length + 2)),
                    _ => null,
                };
                if (arg == null || arg.Equals(ins.Arg)) return null;
                code[i] = ins with { Arg = arg };
                return $"#{i} {ins} -> {code[i]}";
            }
            case 3:
            {
                if (ins.Op != OpCodes.Ldc_I4 && ins.Op != OpCodes.Ldnull && ins.Op != OpCodes.Ldstr) return null;
                var to = r.Next(5) switch
                {
                    0 => new GIns(OpCodes.Ldnull),
                    1 => new GIns(OpCodes.Ldstr, "x"),
                    2 => new GIns(OpCodes.Ldc_I8, 1L),
                    3 => new GIns(OpCodes.Ldc_R8, 1.0),
                    _ => new GIns(OpCodes.Ldc_I4, 3),
                };
                code[i] = to;
                return $"#{i} {ins} -> {to}";
            }
            case 4:
            {
                // Drop an instruction; branches to it go to the next one.
                if (code.Count < 2) return null;
                Remove(p, i);
                return $"#{i} {ins} removed";
            }
            case 5:
            {
                Insert(p, i, ins);
                return $"#{i} {ins} doubled";
            }
            case 6:
            {
                var extra = r.Next(10) switch
                {
                    0 => new GIns(OpCodes.Ldnull),
                    1 => new GIns(OpCodes.Ldc_I4, 1),
                    2 => new GIns(OpCodes.Pop),
                    3 => new GIns(OpCodes.Dup),
                    4 => new GIns(OpCodes.Ldarg_S, new ArgRef(2)),
                    5 => new GIns(OpCodes.Ret),
                    6 => new GIns(OpCodes.Box, Sym.TInt32),
                    7 => new GIns(OpCodes.Castclass, Sym.TNode),
                    8 => new GIns(OpCodes.Ldloca_S, new LocalRef(0)),
                    _ => new GIns(OpCodes.Unbox_Any, Sym.TNode),
                };
                Insert(p, i, extra);
                return $"{extra} inserted at #{i}";
            }
            case 7:
            {
                if (i + 1 >= code.Count) return null;
                (code[i], code[i + 1]) = (code[i + 1], code[i]);
                return $"#{i} {code[i + 1]} swapped with #{i + 1} {code[i]}";
            }
            case 8:
            {
                var branches = Enumerable.Range(0, code.Count).Where(k => code[k].Arg is Target or Targets).ToList();
                if (branches.Count == 0) return null;
                int b = branches[r.Next(branches.Count)];
                if (b + 1 >= code.Count) return null;
                int to = b + 1 + r.Next(code.Count - b - 1);
                code[b] = code[b].Arg is Targets ts
                    ? code[b] with { Arg = new Targets(ts.Indexes.Select((x, k) => k == 0 ? to : x).ToArray()) }
                    : code[b] with { Arg = new Target(to) };
                return $"#{b} {code[b].Op.Name} retargeted to #{to}";
            }
            case 9:
            {
                if (p.Handlers.Count == 0) return null;
                int h = r.Next(p.Handlers.Count);
                var x = p.Handlers[h];
                int d = r.Next(2) == 0 ? 1 : -1;
                var y = r.Next(7) switch
                {
                    0 => x with { TryStart = x.TryStart + d },
                    1 => x with { TryEnd = x.TryEnd + d },
                    2 => x with { HandlerStart = x.HandlerStart + d, TryEnd = x.HandlerStart + d },
                    3 => x with { HandlerEnd = x.HandlerEnd + d },
                    4 => x with { Kind = x.Kind == HandlerKind.Catch ? HandlerKind.Finally : HandlerKind.Catch, CatchType = Sym.TException },
                    5 => x with { Kind = HandlerKind.Fault },
                    _ => x with { CatchType = Pick(r, Sym.TString, Sym.TObject, Sym.TInt32, Sym.TNode, Sym.TPair) },
                };
                p.Handlers[h] = y;
                return $"handler {h} {x} -> {y}";
            }
            case 10:
            {
                int l = r.Next(p.Locals.Count);
                var to = (Ty)r.Next((int)Ty.RefI4 + 1);
                if (to == p.Locals[l]) return null;
                var old = p.Locals[l];
                p.Locals[l] = to;
                return $"local {l} {old} -> {to}";
            }
            default:
            {
                // The value returned: another type than int32.
                int ret = code.Count - 1;
                var extra = r.Next(3) switch { 0 => new GIns(OpCodes.Box, Sym.TInt32), 1 => new GIns(OpCodes.Conv_I8), _ => new GIns(OpCodes.Conv_R8) };
                Insert(p, ret, extra);
                return $"{extra} before ret";
            }
        }
    }

    private static T Pick<T>(Random r, params T[] xs) => xs[r.Next(xs.Length)];

    /// <summary>Inserts before index <paramref name="at"/>; targets at or after it move with the code (a branch to it now reaches the new instruction).</summary>
    private static void Insert(GProgram p, int at, GIns ins)
    {
        int Shift(int x) => x > at ? x + 1 : x;
        Retarget(p, Shift);
        p.Code.Insert(at, ins);
    }

    private static void Remove(GProgram p, int at)
    {
        int Shift(int x) => x > at ? x - 1 : x;
        p.Code.RemoveAt(at);
        Retarget(p, Shift);
    }

    private static void Retarget(GProgram p, Func<int, int> f)
    {
        for (int k = 0; k < p.Code.Count; k++)
        {
            var c = p.Code[k];
            if (c.Arg is Target t) p.Code[k] = c with { Arg = new Target(f(t.Index)) };
            else if (c.Arg is Targets ts) p.Code[k] = c with { Arg = new Targets(ts.Indexes.Select(f).ToArray()) };
        }
        for (int h = 0; h < p.Handlers.Count; h++)
        {
            var x = p.Handlers[h];
            p.Handlers[h] = x with { TryStart = f(x.TryStart), TryEnd = f(x.TryEnd), HandlerStart = f(x.HandlerStart), HandlerEnd = f(x.HandlerEnd) };
        }
    }
}

using Mono.Cecil.Cil;

namespace Singularity.Verifier.Fuzz.Grammar;

/// <summary>The verification types the grammar works with (ECMA-335 III.1.8.1.2, narrowed to what it generates).</summary>
public enum Ty { I4, I8, R8, Str, Obj, Node, IntArr, ObjArr, Pair, RefI4 }

/// <summary>Members and types a generated method may name: the helper types every generated module defines (Node, Leaf, Pair, Helpers) and the core library's.</summary>
public enum Sym
{
    // Types.
    TInt32, TInt64, TDouble, TObject, TString, TException, TNullReference, TNode, TLeaf, TPair, THelpers, TIntArr, TObjArr, TStrArr,
    // Fields.
    FNodeF, FNodeG, FNodeNext, FNodeL, FNodeRO, FPairX, FPairY, FPairR, FSeven, FStrEmpty,
    // Methods.
    MNodeCtor, MLeafCtor, MNodeV, MObjCtor, MObjToString, MObjHash, MObjEquals, MStrLength, MStrChars, MStrConcat, MStrSubstring, MStrEquals, MExCtor, MTwice, MName,
}

public sealed record LocalRef(int Index);
public sealed record ArgRef(int Index);
/// <summary>A branch target: an instruction index.</summary>
public sealed record Target(int Index);
public sealed record Targets(int[] Indexes);

/// <summary>One instruction: an opcode and its operand (null, int, long, double, string, Sym, LocalRef, ArgRef, Target, Targets).</summary>
public sealed record GIns(OpCode Op, object Arg = null)
{
    public override string ToString() => Arg switch
    {
        null => Op.Name,
        Target t => $"{Op.Name} #{t.Index}",
        Targets ts => $"{Op.Name} (#{string.Join(", #", ts.Indexes)})",
        LocalRef l => $"{Op.Name} V_{l.Index}",
        ArgRef a => $"{Op.Name} A_{a.Index}",
        string s => $"{Op.Name} \"{s}\"",
        _ => $"{Op.Name} {Arg}",
    };
}

public enum HandlerKind { Catch, Finally, Fault }

/// <summary>An exception clause over instruction indexes (ends exclusive).</summary>
public sealed record GHandler(HandlerKind Kind, int TryStart, int TryEnd, int HandlerStart, int HandlerEnd, Sym CatchType);

/// <summary>
/// A generated method body: static int32 M(int32 a, string s, object o, Node n, int32[] arr) with
/// these locals, code and handlers. <see cref="Variant"/> is null for a program the grammar built
/// valid, else what the one-step-wrong edit did.
/// </summary>
public sealed class GProgram
{
    public static readonly Ty[] Args = { Ty.I4, Ty.Str, Ty.Obj, Ty.Node, Ty.IntArr };

    public List<Ty> Locals { get; init; } = new();
    public List<GIns> Code { get; init; } = new();
    public List<GHandler> Handlers { get; init; } = new();
    public string Variant { get; set; }
    public bool Valid => Variant == null;

    public GProgram Clone() => new() { Locals = new(Locals), Code = new(Code), Handlers = new(Handlers), Variant = Variant };

    /// <summary>Every control transfer goes forward and every handler follows its try block, so the method ends whatever it does.</summary>
    public bool Terminates()
    {
        for (int i = 0; i < Code.Count; i++)
        {
            switch (Code[i].Arg)
            {
                case Target t when t.Index <= i || t.Index >= Code.Count: return false;
                case Targets ts when ts.Indexes.Any(x => x <= i || x >= Code.Count): return false;
            }
        }
        foreach (var h in Handlers)
            if (h.TryStart < 0 || h.TryStart >= h.TryEnd || h.HandlerStart < h.TryEnd || h.HandlerStart >= h.HandlerEnd || h.HandlerEnd > Code.Count) return false;
        return true;
    }

    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"// {(Valid ? "valid" : "variant: " + Variant)}");
        sb.AppendLine($".locals init ({string.Join(", ", Locals.Select((t, i) => $"V_{i}: {t}"))})");
        for (int i = 0; i < Code.Count; i++)
        {
            foreach (var h in Handlers)
            {
                if (h.TryStart == i) sb.AppendLine("  .try {");
                if (h.HandlerStart == i) sb.AppendLine($"  }} {h.Kind}{(h.Kind == HandlerKind.Catch ? " " + h.CatchType : "")} {{");
            }
            sb.AppendLine($"  #{i}: {Code[i]}");
            foreach (var h in Handlers) if (h.HandlerEnd == i + 1) sb.AppendLine("  }");
        }
        return sb.ToString();
    }
}

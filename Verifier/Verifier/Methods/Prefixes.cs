using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Instruction prefixes (III.2): attached once to the instruction they prefix.</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>The prefixes of one instruction (III.2).</summary>
    private struct Prefixes
    {
        public TypeReference Constrained;
        public bool ReadOnly, Tail, Volatile, Unaligned;
    }

    // ----- prefixes (III.2) ---------------------------------------------------------------------
    //
    // A prefix and the instruction it prefixes are one instruction: the prefixes are attached to
    // that instruction here, once, and the instruction after a prefix is not a valid branch target
    // (III.1.7.2), so no path reaches it without its prefixes, and none with another's.

    private static bool IsPrefix(Code c) => c is Code.Constrained or Code.Readonly or Code.Tail or Code.Volatile or Code.Unaligned or Code.No;

    private void ScanPrefixes()
    {
        var pending = new Prefixes();
        var seen = new List<Code>();
        for (int i = 0; i < _ins.Length; i++)
        {
            var ins = _ins[i];
            var c = ins.OpCode.Code;
            if (IsPrefix(c))
            {
                if (i + 1 < _ins.Length) _afterPrefix[i + 1] = true;
                if (seen.Contains(c)) Report(Codes.Prefix, $"{ins.OpCode.Name} twice on one instruction", ins.Offset);
                seen.Add(c);
                switch (c)
                {
                    case Code.Constrained: pending.Constrained = ins.Operand as TypeReference; if (pending.Constrained != null) _av.CheckTypeUse(_m, ins.Offset, pending.Constrained); break;
                    case Code.Readonly: pending.ReadOnly = true; break;
                    case Code.Tail: pending.Tail = true; break;
                    case Code.Volatile: pending.Volatile = true; break;
                    case Code.Unaligned:
                        pending.Unaligned = true;
                        if (ins.Operand is not (byte)1 and not (byte)2 and not (byte)4) Report(Codes.Prefix, $"unaligned. {ins.Operand}: the alignment must be 1, 2 or 4", ins.Offset);
                        break;
                    case Code.No: Report(Codes.UnverifiableOpcode, "the no. prefix skips the instruction's type, range or null checks (unverifiable)", ins.Offset); break;
                }
                if (i + 1 == _ins.Length) Report(Codes.Prefix, $"{ins.OpCode.Name} prefixes no instruction (it ends the method)", ins.Offset);
                continue;
            }
            foreach (var p in seen)
            {
                int at = i - seen.Count + seen.IndexOf(p);
                if (!MayPrefix(p, ins, i)) Report(Codes.Prefix, $"{_ins[at].OpCode.Name} does not apply to {ins.OpCode.Name}{(p == Code.Tail && IsCallOp(c) ? " (a tail. call must be followed by ret)" : "")}", _ins[at].Offset);
            }
            _prefixes[i] = pending;
            pending = new Prefixes();
            seen.Clear();
        }
    }

    private static bool IsCallOp(Code c) => c is Code.Call or Code.Callvirt or Code.Calli;

    /// <summary>May prefix <paramref name="p"/> precede instruction <paramref name="i"/> (III.2.1-III.2.6)?</summary>
    private bool MayPrefix(Code p, Instruction ins, int i)
    {
        var c = ins.OpCode.Code;
        string n = ins.OpCode.Name;
        bool memory = n.StartsWith("ldind.", StringComparison.Ordinal) || n.StartsWith("stind.", StringComparison.Ordinal) || c is Code.Ldfld or Code.Stfld or Code.Ldobj or Code.Stobj or Code.Initblk or Code.Cpblk;
        return p switch
        {
            Code.Constrained => c == Code.Callvirt,
            Code.Readonly => c == Code.Ldelema || (c == Code.Call && ins.Operand is MethodReference { Name: "Address" } m && TypeSystem.Strip(m.DeclaringType) is ArrayType),
            Code.Tail => IsCallOp(c) && i + 1 < _ins.Length && _ins[i + 1].OpCode.Code == Code.Ret,
            Code.Volatile => memory || c is Code.Ldsfld or Code.Stsfld,
            Code.Unaligned => memory,
            Code.No => true,    // refused as a whole above
            _ => false,
        };
    }
}

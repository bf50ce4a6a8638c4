using System.Buffers.Binary;
using System.Reflection;
using System.Reflection.Emit;

namespace Singularity.Verifier.Fuzz;

/// <summary>
/// Edits inside method bodies of a real assembly: an opcode swapped (for one with the same operand
/// size, so the rest still decodes, or for any), a token operand pointed at another table or row,
/// a branch offset moved (into an instruction, out of the method, backwards), a local or argument
/// index out of range, a switch count, an exception clause (kind, bounds, class token), the
/// header (maxstack, local signature token, flags, code size), or a run overwritten.
/// </summary>
public static class IlMutator
{
    private sealed record Op(short Value, int Size, OperandType Operand, string Name);

    private static readonly Dictionary<short, Op> s_ops = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null))
        .ToDictionary(o => o.Value, o => new Op(o.Value, o.Size, o.OperandType, o.Name));

    private static readonly Op[] s_all = s_ops.Values.OrderBy(o => (ushort)o.Value).ToArray();

    private sealed record Ins(int Offset, Op Op, int OperandOffset, int Length);

    private static List<Ins> Decode(byte[] b, Body body)
    {
        var list = new List<Ins>();
        int p = body.CodeOffset, end = Math.Min(b.Length, body.CodeOffset + body.CodeSize);
        while (p < end)
        {
            short v = b[p];
            int size = 1;
            if (v == 0xfe && p + 1 < end) { v = unchecked((short)(0xfe00 | b[p + 1])); size = 2; }
            if (!s_ops.TryGetValue(v, out var op)) break;
            int operand = OperandSize(op.Operand);
            if (op.Operand == OperandType.InlineSwitch)
            {
                if (p + size + 4 > end) break;
                uint n = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p + size));
                if (n > 10000) break;
                operand = 4 + 4 * (int)n;
            }
            if (p + size + operand > end) break;
            list.Add(new Ins(p, op, p + size, size + operand));
            p += size + operand;
        }
        return list;
    }

    private static int OperandSize(OperandType t) => t switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4,
        _ => 4,
    };

    private static readonly int[] TokenTables = { 0x01, 0x02, 0x04, 0x06, 0x0A, 0x11, 0x1B, 0x2B, 0x70, 0x00, 0x23, 0x08 };

    public static string Mutate(Random rng, Seed seed, byte[] b)
    {
        var l = seed.Layout;
        if (l.Bodies.Count == 0) return ByteMutators.EditBytes(rng, seed, b);
        var body = l.Bodies[rng.Next(l.Bodies.Count)];
        var ins = Decode(b, body);
        string where = $"method row {body.MethodRow} (body at 0x{body.HeaderOffset:x})";
        int kind = rng.Next(12);
        if (ins.Count == 0) kind = 9;
        switch (kind)
        {
            case 0:
            case 1:
            {
                // Opcode swap: usually for one with the same operand size, so the stream still decodes.
                var i = ins[rng.Next(ins.Count)];
                var same = kind == 0 ? s_all.Where(o => o.Size == i.Op.Size && OperandSize(o.Operand) == OperandSize(i.Op.Operand) && o.Operand != OperandType.InlineSwitch && i.Op.Operand != OperandType.InlineSwitch).ToArray() : s_all;
                if (same.Length == 0) same = s_all;
                var to = same[rng.Next(same.Length)];
                if (to.Size == 2 && i.Op.Size == 1) return $"{where}: no room to swap {i.Op.Name} at IL_{i.Offset - body.CodeOffset:x4}";
                if (to.Size == 1) b[i.Offset] = (byte)to.Value;
                else { b[i.Offset] = 0xfe; b[i.Offset + 1] = (byte)to.Value; }
                if (to.Size == 1 && i.Op.Size == 2) b[i.Offset + 1] = 0x00;   // the freed byte becomes a nop
                return $"{where}: IL_{i.Offset - body.CodeOffset:x4} {i.Op.Name} -> {to.Name}";
            }
            case 2:
            case 3:
            {
                // Token operand: another table, or row 0, one past the end, any valid row.
                var tokens = ins.Where(x => x.Op.Operand is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok or OperandType.InlineSig or OperandType.InlineString).ToList();
                if (tokens.Count == 0) goto case 9;
                var i = tokens[rng.Next(tokens.Count)];
                uint old = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i.OperandOffset));
                int table = rng.Next(3) == 0 ? TokenTables[rng.Next(TokenTables.Length)] : (int)(old >> 24);
                int rows = table < 64 ? l.RowCounts[table] : l.UserStringHeapSize;
                uint row = rng.Next(6) switch
                {
                    0 => 0,
                    1 => (uint)rows + 1,
                    2 => 0xffffff,
                    3 => (old & 0xffffff) + 1,
                    _ => (uint)(1 + rng.Next(Math.Max(1, rows))),
                };
                uint tok = ((uint)table << 24) | (row & 0xffffff);
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(i.OperandOffset), tok);
                return $"{where}: IL_{i.Offset - body.CodeOffset:x4} {i.Op.Name} token 0x{old:x8} -> 0x{tok:x8}";
            }
            case 4:
            {
                // Branch offsets: into an instruction, past the end, backwards, onto another instruction.
                var branches = ins.Where(x => x.Op.Operand is OperandType.ShortInlineBrTarget or OperandType.InlineBrTarget or OperandType.InlineSwitch).ToList();
                if (branches.Count == 0) goto case 9;
                var i = branches[rng.Next(branches.Count)];
                int next = i.Offset + i.Length - body.CodeOffset;
                int target = rng.Next(6) switch
                {
                    0 => ins[rng.Next(ins.Count)].Offset - body.CodeOffset,
                    1 => ins[rng.Next(ins.Count)].Offset - body.CodeOffset + 1,
                    2 => body.CodeSize,
                    3 => -1,
                    4 => next - 1,
                    _ => rng.Next(-200, body.CodeSize + 200),
                };
                int delta = target - next;
                int slot = i.OperandOffset;
                if (i.Op.Operand == OperandType.InlineSwitch)
                {
                    uint n = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(slot));
                    if (n == 0) goto case 9;
                    slot += 4 + 4 * rng.Next((int)n);
                }
                if (i.Op.Operand == OperandType.ShortInlineBrTarget) b[slot] = (byte)(sbyte)Math.Clamp(delta, -128, 127);
                else BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(slot), delta);
                return $"{where}: IL_{i.Offset - body.CodeOffset:x4} {i.Op.Name} -> IL_{target:x4}";
            }
            case 5:
            {
                // Local and argument indexes.
                var vars = ins.Where(x => x.Op.Operand is OperandType.ShortInlineVar or OperandType.InlineVar).ToList();
                if (vars.Count == 0) goto case 9;
                var i = vars[rng.Next(vars.Count)];
                int v = rng.Next(4) switch { 0 => 0xff, 1 => rng.Next(8), 2 => 0xffff, _ => rng.Next(256) };
                if (i.Op.Operand == OperandType.ShortInlineVar) b[i.OperandOffset] = (byte)v;
                else BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(i.OperandOffset), (ushort)v);
                return $"{where}: IL_{i.Offset - body.CodeOffset:x4} {i.Op.Name} {v}";
            }
            case 6:
            {
                // Switch counts.
                var sw = ins.FirstOrDefault(x => x.Op.Operand == OperandType.InlineSwitch);
                if (sw == null) goto case 4;
                uint n = rng.Next(3) switch { 0 => 0xffffffff, 1 => 0x10000000, _ => (uint)rng.Next(64) };
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(sw.OperandOffset), n);
                return $"{where}: switch count {n}";
            }
            case 7:
            {
                // Exception clauses: kind, bounds, class token or filter offset.
                if (body.SectionsOffset < 0 || body.SectionsOffset + 4 > b.Length) goto case 8;
                int s = body.SectionsOffset;
                bool fat = (b[s] & 0x40) != 0;
                int size = fat ? b[s + 1] | b[s + 2] << 8 | b[s + 3] << 16 : b[s + 1];
                int clauseSize = fat ? 24 : 12;
                int clauses = (size - 4) / clauseSize;
                if (clauses <= 0) { b[s + 1] = (byte)rng.Next(256); return $"{where}: EH section size {b[s + 1]}"; }
                int c = s + 4 + clauseSize * rng.Next(clauses);
                if (c + clauseSize > b.Length) goto case 8;
                // Fields: flags, try offset, try length, handler offset, handler length, class token / filter offset.
                int[] fieldOffsets = fat ? new[] { 0, 4, 8, 12, 16, 20 } : new[] { 0, 2, 3, 5, 7, 8 };
                int[] fieldSizes = fat ? new[] { 4, 4, 4, 4, 4, 4 } : new[] { 2, 2, 1, 2, 1, 4 };
                int f = rng.Next(6);
                int at = c + fieldOffsets[f], fs = fieldSizes[f];
                uint old = fs == 1 ? b[at] : fs == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
                uint v = f == 0 ? (uint)new[] { 0, 1, 2, 4, 3, 8 }[rng.Next(6)]
                       : rng.Next(5) switch { 0 => old + 1, 1 => old - 1, 2 => 0, 3 => (uint)body.CodeSize, _ => (uint)(ins.Count > 0 ? ins[rng.Next(ins.Count)].Offset - body.CodeOffset : 0) };
                if (f == 5 && rng.Next(2) == 0) v = (uint)(TokenTables[rng.Next(TokenTables.Length)] << 24 | rng.Next(1, 40));
                if (fs == 1) b[at] = (byte)v;
                else if (fs == 2) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), (ushort)v);
                else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
                string[] names = { "flags", "try offset", "try length", "handler offset", "handler length", "class/filter" };
                return $"{where}: EH clause {(c - s - 4) / clauseSize} {names[f]} 0x{old:x} -> 0x{v:x}";
            }
            case 8:
            {
                // The header: maxstack, local signature, flags, code size.
                int h = body.HeaderOffset;
                if (!body.Fat)
                {
                    int size = rng.Next(4) switch { 0 => 0, 1 => 63, _ => (b[h] >> 2) + (rng.Next(2) == 0 ? 1 : -1) & 63 };
                    b[h] = (byte)(size << 2 | 2);
                    return $"{where}: tiny header code size {size}";
                }
                switch (rng.Next(5))
                {
                    case 0:
                    {
                        ushort ms = (ushort)new[] { 0, 1, 2, 0xffff, 8 }[rng.Next(5)];
                        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(h + 2), ms);
                        return $"{where}: maxstack {ms}";
                    }
                    case 1:
                    {
                        uint old = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(h + 8));
                        uint tok = rng.Next(5) switch
                        {
                            0 => 0,
                            1 => 0x11000000u | (uint)(l.RowCounts[0x11] + 1),
                            2 => 0x11000000u | (uint)(1 + rng.Next(Math.Max(1, l.RowCounts[0x11]))),
                            3 => 0x1B000001,
                            _ => 0x11ffffff,
                        };
                        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(h + 8), tok);
                        return $"{where}: local signature 0x{old:x8} -> 0x{tok:x8}";
                    }
                    case 2:
                    {
                        byte bit = (byte)new[] { 0x10, 0x08, 0x04, 0x01 }[rng.Next(4)];
                        b[h] ^= bit;
                        return $"{where}: header flags ^ 0x{bit:x2}";
                    }
                    default:
                    {
                        uint old = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(h + 4));
                        uint size = rng.Next(4) switch { 0 => 0, 1 => old + 1, 2 => old - 1, _ => 0x7fffffff };
                        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(h + 4), size);
                        return $"{where}: code size {old} -> {size}";
                    }
                }
            }
            case 9:
            {
                // A run of the code overwritten with nops, rets or random bytes.
                int len = Math.Max(1, Math.Min(body.CodeSize, 1 + rng.Next(6)));
                int at = body.CodeOffset + rng.Next(Math.Max(1, body.CodeSize - len + 1));
                if (at + len > b.Length) return $"{where}: nothing to overwrite";
                int fill = rng.Next(3);
                for (int k = 0; k < len; k++) b[at + k] = fill == 0 ? (byte)0x00 : fill == 1 ? (byte)0x2a : (byte)rng.Next(256);
                return $"{where}: {len} bytes at IL_{at - body.CodeOffset:x4} = {(fill == 0 ? "nop" : fill == 1 ? "ret" : "random")}";
            }
            default:
            {
                // An instruction's operand bytes set to random values (constants, tokens, offsets alike).
                var withOperand = ins.Where(x => x.Length > x.Op.Size).ToList();
                if (withOperand.Count == 0) goto case 9;
                var i = withOperand[rng.Next(withOperand.Count)];
                int n = i.Length - i.Op.Size;
                for (int k = 0; k < Math.Min(n, 8); k++) if (rng.Next(2) == 0) b[i.OperandOffset + k] = (byte)rng.Next(256);
                return $"{where}: IL_{i.Offset - body.CodeOffset:x4} {i.Op.Name} operand randomized";
            }
        }
    }
}

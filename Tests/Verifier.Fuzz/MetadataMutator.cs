using System.Buffers.Binary;
using System.Reflection.Metadata.Ecma335;

namespace Singularity.Verifier.Fuzz;

/// <summary>
/// Edits rows of the metadata tables in place: a field of a row set to an out-of-range,
/// self-referencing or other valid-looking value (a row index, a coded index with any tag, a
/// heap offset another row uses, a flag bit), a row copied over another, two rows swapped. The
/// file keeps its size and its other tables, so the reader gets past the headers and the
/// verifier meets the edit wherever it uses that row.
/// </summary>
public static class MetadataMutator
{
    // The tables the verifier reads most, chosen more often.
    private static readonly (TableIndex Table, int Weight)[] Weights =
    {
        (TableIndex.TypeDef, 8), (TableIndex.MethodDef, 8), (TableIndex.Field, 5), (TableIndex.TypeRef, 6), (TableIndex.MemberRef, 8),
        (TableIndex.TypeSpec, 4), (TableIndex.GenericParam, 4), (TableIndex.InterfaceImpl, 4), (TableIndex.NestedClass, 4),
        (TableIndex.MethodSpec, 3), (TableIndex.CustomAttribute, 4), (TableIndex.Param, 3), (TableIndex.StandAloneSig, 3),
        (TableIndex.ClassLayout, 2), (TableIndex.FieldLayout, 2), (TableIndex.MethodImpl, 3), (TableIndex.Constant, 2),
        (TableIndex.Property, 2), (TableIndex.PropertyMap, 2), (TableIndex.MethodSemantics, 2), (TableIndex.Event, 1), (TableIndex.EventMap, 1),
        (TableIndex.AssemblyRef, 3), (TableIndex.Assembly, 2), (TableIndex.Module, 1), (TableIndex.GenericParamConstraint, 3),
        (TableIndex.FieldRva, 1), (TableIndex.ModuleRef, 1), (TableIndex.ImplMap, 1),
    };

    public static string Mutate(Random rng, Seed seed, byte[] b)
    {
        var l = seed.Layout;
        var tables = Weights.Where(w => l.Tables.ContainsKey(w.Table)).ToList();
        if (tables.Count == 0) return ByteMutators.EditBytes(rng, seed, b);
        int edits = 1 + (rng.Next(3) == 0 ? rng.Next(3) : 0);
        var what = new List<string>();
        for (int k = 0; k < edits; k++)
        {
            int total = tables.Sum(t => t.Weight), pick = rng.Next(total);
            var table = l.Tables[tables.First(t => (pick -= t.Weight) < 0).Table];
            int row = 1 + rng.Next(table.Rows);
            switch (rng.Next(10))
            {
                case 0 when table.Rows > 1:
                {
                    int other = 1 + rng.Next(table.Rows);
                    Array.Copy(b, table.RowOffset(other), b, table.RowOffset(row), table.RowSize);
                    what.Add($"{table.Index}[{row}] = copy of row {other}");
                    break;
                }
                case 1 when table.Rows > 1:
                {
                    int other = 1 + rng.Next(table.Rows);
                    var tmp = b.AsSpan(table.RowOffset(row), table.RowSize).ToArray();
                    Array.Copy(b, table.RowOffset(other), b, table.RowOffset(row), table.RowSize);
                    tmp.CopyTo(b, table.RowOffset(other));
                    what.Add($"{table.Index}: rows {row} and {other} swapped");
                    break;
                }
                default:
                {
                    var col = table.Columns[rng.Next(table.Columns.Length)];
                    int at = table.RowOffset(row) + col.Offset;
                    uint old = Read(b, at, col.Size);
                    uint v = Value(rng, l, table, row, col, old, b);
                    Write(b, at, col.Size, v);
                    what.Add($"{table.Index}[{row}].{col.Name} 0x{old:x} -> 0x{v:x}");
                    break;
                }
            }
        }
        return string.Join("; ", what);
    }

    private static uint Value(Random rng, MetadataLayout l, Table table, int row, Column col, uint old, byte[] b)
    {
        uint max = col.Size == 2 ? 0xffff : 0xffffffff;
        switch (col.Kind)
        {
            case ColumnKind.Index:
            {
                int rows = l.RowCounts[col.Table];
                return rng.Next(8) switch
                {
                    0 => 0,
                    1 => (uint)rows + 1,
                    2 => (uint)rows + 2,
                    3 => max,
                    4 when col.Table == (int)table.Index => (uint)row,
                    5 => old + 1,
                    6 when old > 0 => old - 1,
                    _ => (uint)(1 + rng.Next(Math.Max(1, rows))),
                };
            }
            case ColumnKind.Coded:
            {
                var c = col.Coded;
                int tagCount = 1 << c.TagBits;
                int tag = rng.Next(3) switch
                {
                    0 => (int)(old & (uint)(tagCount - 1)),
                    1 => rng.Next(tagCount),                       // possibly a tag with no table
                    _ => rng.Next(c.Tables.Length),
                };
                int target = tag < c.Tables.Length ? c.Tables[tag] : -1;
                int rows = target >= 0 ? l.RowCounts[target] : 0;
                uint r = rng.Next(7) switch
                {
                    0 => 0,
                    1 => (uint)rows + 1,
                    2 when target == (int)table.Index => (uint)row,
                    3 => (max >> c.TagBits),
                    4 => old >> c.TagBits,
                    _ => (uint)(1 + rng.Next(Math.Max(1, rows))),
                };
                return ((r << c.TagBits) | (uint)tag) & max;
            }
            case ColumnKind.String:
                return HeapValue(rng, l, col, old, b, l.StringHeapSize, max);
            case ColumnKind.Blob:
                return HeapValue(rng, l, col, old, b, l.BlobHeapSize, max);
            case ColumnKind.Guid:
                return (uint)rng.Next(4) switch { 0 => 0u, 1 => (uint)(l.GuidHeapSize / 16 + 1), 2 => 1u, _ => max };
            default:
                // Flags, RVAs, sizes, version numbers: a flipped bit, a boundary, or another row's value.
                return rng.Next(5) switch
                {
                    0 => old ^ (1u << rng.Next(col.Size * 8)),
                    1 => old ^ (1u << rng.Next(col.Size * 8)) ^ (1u << rng.Next(col.Size * 8)),
                    2 => 0,
                    3 => max,
                    _ => Read(b, table.RowOffset(1 + rng.Next(table.Rows)) + col.Offset, col.Size),
                };
        }
    }

    /// <summary>A heap offset: null, past the end, one byte into a valid entry, or the value another row's column of the same kind holds.</summary>
    private static uint HeapValue(Random rng, MetadataLayout l, Column col, uint old, byte[] b, int heapSize, uint max)
    {
        switch (rng.Next(6))
        {
            case 0: return 0;
            case 1: return (uint)heapSize;
            case 2: return Math.Min(max, (uint)heapSize + (uint)rng.Next(1, 1000));
            case 3: return old + 1;
            default:
            {
                var same = l.Tables.Values.SelectMany(t => t.Columns.Where(c => c.Kind == col.Kind).Select(c => (t, c))).ToList();
                var (t2, c2) = same[rng.Next(same.Count)];
                return Read(b, t2.RowOffset(1 + rng.Next(t2.Rows)) + c2.Offset, c2.Size);
            }
        }
    }

    private static uint Read(byte[] b, int at, int size) => size == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    private static void Write(byte[] b, int at, int size, uint v)
    {
        if (size == 2) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), (ushort)v);
        else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
    }
}

using System.Buffers.Binary;

namespace Singularity.Verifier.Fuzz;

/// <summary>Bit flips and byte edits over a whole assembly, half of them aimed at the metadata and the method bodies.</summary>
public static class ByteMutators
{
    /// <summary>1-8 single-bit flips.</summary>
    public static string FlipBits(Random rng, Seed seed, byte[] b)
    {
        int n = 1 + rng.Next(rng.Next(2) == 0 ? 2 : 8);
        var where = new List<string>();
        for (int k = 0; k < n; k++)
        {
            int at = Position(rng, seed, b.Length);
            int bit = rng.Next(8);
            b[at] ^= (byte)(1 << bit);
            where.Add($"0x{at:x}.{bit}");
        }
        return "flip " + string.Join(" ", where);
    }

    private static readonly uint[] Interesting = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe };

    /// <summary>1-4 edits: a byte, a 16- or 32-bit word set to a boundary value, a word nudged by ±1, or a run copied from elsewhere.</summary>
    public static string EditBytes(Random rng, Seed seed, byte[] b)
    {
        int n = 1 + rng.Next(4);
        var what = new List<string>();
        for (int k = 0; k < n; k++)
        {
            int at = Position(rng, seed, b.Length);
            switch (rng.Next(6))
            {
                case 0:
                    b[at] = (byte)rng.Next(256);
                    what.Add($"byte 0x{at:x}=0x{b[at]:x2}");
                    break;
                case 1 when at + 2 <= b.Length:
                {
                    ushort v = (ushort)Interesting[rng.Next(Interesting.Length)];
                    BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
                    what.Add($"u16 0x{at:x}=0x{v:x}");
                    break;
                }
                case 2 when at + 4 <= b.Length:
                {
                    uint v = Interesting[rng.Next(Interesting.Length)];
                    BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
                    what.Add($"u32 0x{at:x}=0x{v:x}");
                    break;
                }
                case 3 when at + 2 <= b.Length:
                {
                    int d = rng.Next(2) == 0 ? 1 : -1;
                    ushort v = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at)) + d);
                    BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
                    what.Add($"u16 0x{at:x}{(d > 0 ? "+" : "-")}1");
                    break;
                }
                case 4:
                {
                    int len = 1 + rng.Next(16);
                    int from = rng.Next(b.Length);
                    len = Math.Min(len, Math.Min(b.Length - from, b.Length - at));
                    Array.Copy(b, from, b, at, len);
                    what.Add($"copy {len} bytes 0x{from:x}->0x{at:x}");
                    break;
                }
                default:
                {
                    int len = 1 + rng.Next(8);
                    len = Math.Min(len, b.Length - at);
                    byte fill = rng.Next(2) == 0 ? (byte)0 : (byte)0xff;
                    b.AsSpan(at, len).Fill(fill);
                    what.Add($"fill {len} bytes 0x{at:x}=0x{fill:x2}");
                    break;
                }
            }
        }
        return string.Join("; ", what);
    }

    /// <summary>Anywhere in the file, or (half the time) inside the metadata or a method body, where edits reach the verifier's logic.</summary>
    private static int Position(Random rng, Seed seed, int length)
    {
        var l = seed.Layout;
        switch (rng.Next(4))
        {
            case 0 when l.MetadataSize > 0:
                return Math.Min(length - 1, l.MetadataOffset + rng.Next(l.MetadataSize));
            case 1 when l.Bodies.Count > 0:
            {
                var body = l.Bodies[rng.Next(l.Bodies.Count)];
                return Math.Min(length - 1, body.HeaderOffset + rng.Next(Math.Max(1, body.FileEnd - body.HeaderOffset)));
            }
            default:
                return rng.Next(length);
        }
    }
}

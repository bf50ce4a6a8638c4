using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Singularity.Verifier;

/// <summary>
/// Checks on the raw metadata (System.Reflection.Metadata), before Cecil reads it. Cecil trusts
/// what it reads: a count in a signature becomes an allocation and a loop (a parameter count of
/// hundreds of millions, read past the blob into the rest of the heap, took minutes), nesting
/// becomes recursion (a cycle of nested types, or deeply nested signature types, overflowed its
/// stack and killed the process), and a switch's case count becomes an array. Each relation and
/// blob Cecil follows is walked here with its bounds: a count no larger than the bytes left, a
/// nesting depth of at most <see cref="MaxDepth"/>, a type token naming a row of its table.
/// Anything else is corrupt metadata (SV0001) or a corrupt body (SV0003).
/// </summary>
internal static class TableCheck
{
    private const int MaxDepth = 64;

    /// <summary>Throws for corrupt tables and signatures; returns the method rows whose bodies are corrupt, with why (reported for those methods alone).</summary>
    public static Dictionary<int, string> Check(PEReader pe, MetadataReader md)
    {
        var corruptBodies = new Dictionary<int, string>();
        DebugDirectory(pe);
        Streams(pe);
        int usSize = md.GetHeapSize(HeapIndex.UserString);
        var userStrings = Array.Empty<byte>();
        if (usSize > 0)
        {
            var meta = pe.GetMetadata().GetContent();
            int usStart = md.GetHeapMetadataOffset(HeapIndex.UserString);
            userStrings = meta.AsSpan().Slice(usStart, Math.Min(usSize, meta.Length - usStart)).ToArray();
        }
        NestedTypes(pe, md);
        TypeRefScopes(md);
        foreach (var h in md.MethodDefinitions)
        {
            var def = md.GetMethodDefinition(h);
            Blob(md, def.Signature, $"the signature of method row {MetadataTokens.GetRowNumber(h)}", MethodSignature);
            if (def.RelativeVirtualAddress != 0 && Il(pe.GetMethodBody(def.RelativeVirtualAddress), userStrings) is string why) corruptBodies[MetadataTokens.GetRowNumber(h)] = why;
        }
        foreach (var h in md.FieldDefinitions)
            Blob(md, md.GetFieldDefinition(h).Signature, $"the signature of field row {MetadataTokens.GetRowNumber(h)}", FieldSignature);
        for (int row = 1; row <= md.GetTableRowCount(TableIndex.MemberRef); row++)
            Blob(md, md.GetMemberReference(MetadataTokens.MemberReferenceHandle(row)).Signature, $"the signature of member reference row {row}", MemberSignature);
        TypeSpecs(md);
        for (int row = 1; row <= md.GetTableRowCount(TableIndex.StandAloneSig); row++)
            Blob(md, md.GetStandaloneSignature(MetadataTokens.StandaloneSignatureHandle(row)).Signature, $"stand-alone signature row {row}", StandaloneSignature);
        for (int row = 1; row <= md.GetTableRowCount(TableIndex.MethodSpec); row++)
            Blob(md, md.GetMethodSpecification(MetadataTokens.MethodSpecificationHandle(row)).Signature, $"method specification row {row}", MethodSpecSignature);
        foreach (var h in md.PropertyDefinitions)
            Blob(md, md.GetPropertyDefinition(h).Signature, $"the signature of property row {MetadataTokens.GetRowNumber(h)}", PropertySignature);
        return corruptBodies;
    }

    /// <summary>
    /// The debug directory, which Cecil reads entry by entry with each entry's data (a size of
    /// megabytes made it read hundreds of thousands of entries, for minutes): a whole number of
    /// entries inside a section, each entry's data inside the file.
    /// </summary>
    private static void DebugDirectory(PEReader pe)
    {
        var dir = pe.PEHeaders.PEHeader.DebugTableDirectory;
        if (dir.Size == 0) return;
        int length = pe.GetEntireImage().Length;
        if (dir.Size % 28 != 0 || !pe.PEHeaders.TryGetDirectoryOffset(dir, out int start) || (long)start + dir.Size > length)
            Corrupt($"the debug directory ({dir.Size} bytes at RVA 0x{dir.RelativeVirtualAddress:x}) is not a whole number of entries inside the file");
        foreach (var e in pe.ReadDebugDirectory())
            if (e.DataPointer < 0 || (long)e.DataPointer + e.DataSize > length || e.DataSize < 0)
                Corrupt($"a debug directory entry's data ({e.DataSize} bytes at 0x{e.DataPointer:x}) lies outside the file");
    }

    /// <summary>
    /// The metadata streams (II.24.2.2) lie inside the metadata: a #~ stream whose size ran past it
    /// kept Cecil busy for minutes.
    /// </summary>
    private static void Streams(PEReader pe)
    {
        var meta = pe.GetMetadata().GetContent();
        int Int(int at) => at + 4 <= meta.Length ? meta[at] | meta[at + 1] << 8 | meta[at + 2] << 16 | meta[at + 3] << 24 : throw new UnusableInputException(Codes.NotAnAssembly, "corrupt metadata: its header is cut short");
        int versionLength = Int(12);
        long p = 16L + versionLength + 2;
        if (versionLength < 0 || p + 2 > meta.Length) Corrupt("the metadata header is cut short");
        int streams = meta[(int)p] | meta[(int)p + 1] << 8;
        p += 2;
        for (int k = 0; k < streams; k++)
        {
            int offset = Int((int)p), size = Int((int)p + 4);
            if (offset < 0 || size < 0 || (long)offset + size > meta.Length) Corrupt($"metadata stream {k} ({size} bytes at {offset}) runs past the metadata ({meta.Length} bytes)");
            p += 8;
            int name = 0;
            while (p + name < meta.Length && meta[(int)(p + name)] != 0 && name < 32) name++;
            p += (name + 4) & ~3;
            if (p > meta.Length) Corrupt("the metadata stream headers are cut short");
        }
    }

    /// <summary>
    /// The NestedClass rows as Cecil reads them (every row, in any order; System.Reflection.Metadata
    /// looks rows up by binary search, which an unsorted table fools): each names two types, a type
    /// is nested in one type at most, and no type encloses itself.
    /// </summary>
    private static void NestedTypes(PEReader pe, MetadataReader md)
    {
        int rows = md.GetTableRowCount(TableIndex.NestedClass);
        if (rows == 0) return;
        int types = md.GetTableRowCount(TableIndex.TypeDef);
        var meta = pe.GetMetadata().GetContent();
        int at = md.GetTableMetadataOffset(TableIndex.NestedClass), size = md.GetTableRowSize(TableIndex.NestedClass), column = size / 2;
        int Read(int offset) => column == 2 ? meta[offset] | meta[offset + 1] << 8 : meta[offset] | meta[offset + 1] << 8 | meta[offset + 2] << 16 | meta[offset + 3] << 24;
        var enclosing = new Dictionary<int, int>();
        for (int row = 0; row < rows; row++)
        {
            int nested = Read(at + row * size), outer = Read(at + row * size + column);
            if (nested < 1 || nested > types || outer < 1 || outer > types) Corrupt($"nested class row {row + 1} names type rows {nested} and {outer} of {types}");
            if (!enclosing.TryAdd(nested, outer)) Corrupt($"type row {nested} is nested in two types");
        }
        foreach (int start in enclosing.Keys)
        {
            int steps = 0;
            for (int t = start; enclosing.TryGetValue(t, out int outer); t = outer)
                if (++steps > enclosing.Count) Corrupt($"nested types form a cycle (type row {start})");
        }
    }

    private static void TypeRefScopes(MetadataReader md)
    {
        int count = md.GetTableRowCount(TableIndex.TypeRef);
        for (int row = 1; row <= count; row++)
        {
            int steps = 0;
            EntityHandle scope = md.GetTypeReference(MetadataTokens.TypeReferenceHandle(row)).ResolutionScope;
            while (scope.Kind == HandleKind.TypeReference)
            {
                if (++steps > count || MetadataTokens.GetRowNumber(scope) > count) Corrupt($"type reference row {row}: its resolution scopes form a cycle or name no row");
                scope = md.GetTypeReference((TypeReferenceHandle)scope).ResolutionScope;
            }
        }
    }

    /// <summary>
    /// Type specifications, and the type specifications they name: Cecil reads a named one while
    /// reading the one that names it, so a cycle (a TypeSpec whose signature names itself) would
    /// recurse without end.
    /// </summary>
    private static void TypeSpecs(MetadataReader md)
    {
        int count = md.GetTableRowCount(TableIndex.TypeSpec);
        var names = new List<int>[count + 1];
        for (int row = 1; row <= count; row++)
        {
            s_specsNamed = names[row] = new List<int>();
            try { Blob(md, md.GetTypeSpecification(MetadataTokens.TypeSpecificationHandle(row)).Signature, $"type specification row {row}", (ref BlobReader r, MetadataReader m) => Type(ref r, m, 0)); }
            finally { s_specsNamed = null; }
        }
        // Depth-first, colouring rows: 1 on the current path, 2 done.
        var colour = new byte[count + 1];
        for (int row = 1; row <= count; row++)
        {
            if (colour[row] != 0) continue;
            var stack = new Stack<(int Row, int Next)>();
            stack.Push((row, 0));
            colour[row] = 1;
            while (stack.Count > 0)
            {
                var (r, next) = stack.Pop();
                if (next < names[r].Count)
                {
                    stack.Push((r, next + 1));
                    int n = names[r][next];
                    if (colour[n] == 1) Corrupt($"type specification row {n} names itself (through {stack.Count} type specifications)");
                    if (colour[n] == 0) { colour[n] = 1; stack.Push((n, 0)); }
                }
                else colour[r] = 2;
            }
        }
    }

    /// <summary>While a type specification is walked: the type specification rows it names.</summary>
    [ThreadStatic] private static List<int> s_specsNamed;

    // ----- signatures (ECMA-335 II.23.2) --------------------------------------------------------

    private delegate void Walk(ref BlobReader r, MetadataReader md);

    private static void Blob(MetadataReader md, BlobHandle h, string what, Walk walk)
    {
        try
        {
            var r = md.GetBlobReader(h);
            walk(ref r, md);
        }
        catch (UnusableInputException e) { Corrupt($"{what}: {e.Message}"); }
        catch (BadImageFormatException e) { Corrupt($"{what}: {e.Message}"); }
    }

    private static void MethodSignature(ref BlobReader r, MetadataReader md)
    {
        var header = r.ReadSignatureHeader();
        if (header.IsGeneric && !r.TryReadCompressedInteger(out _)) Fail("a malformed generic arity");
        int n = Count(ref r);
        Type(ref r, md, 0);                       // the return type
        for (int i = 0; i < n; i++)
        {
            if (r.RemainingBytes > 0 && r.ReadByte() != (byte)SignatureTypeCode.Sentinel) r.Offset--;
            Type(ref r, md, 0);
        }
    }

    private static void FieldSignature(ref BlobReader r, MetadataReader md)
    {
        if (r.ReadSignatureHeader().Kind != SignatureKind.Field) Fail("not a field signature");
        Type(ref r, md, 0);
    }

    private static void MemberSignature(ref BlobReader r, MetadataReader md)
    {
        var header = r.ReadSignatureHeader();
        r.Offset = 0;
        if (header.Kind == SignatureKind.Field) FieldSignature(ref r, md); else MethodSignature(ref r, md);
    }

    private static void StandaloneSignature(ref BlobReader r, MetadataReader md)
    {
        var header = r.ReadSignatureHeader();
        if (header.Kind != SignatureKind.LocalVariables) { r.Offset = 0; MethodSignature(ref r, md); return; }
        int n = Count(ref r);
        for (int i = 0; i < n; i++) Type(ref r, md, 0);
    }

    private static void MethodSpecSignature(ref BlobReader r, MetadataReader md)
    {
        if (r.ReadSignatureHeader().Kind != SignatureKind.MethodSpecification) Fail("not a method instantiation");
        int n = Count(ref r);
        for (int i = 0; i < n; i++) Type(ref r, md, 0);
    }

    private static void PropertySignature(ref BlobReader r, MetadataReader md)
    {
        if (r.ReadSignatureHeader().Kind != SignatureKind.Property) Fail("not a property signature");
        int n = Count(ref r);
        Type(ref r, md, 0);
        for (int i = 0; i < n; i++) Type(ref r, md, 0);
    }

    /// <summary>A count of items that take at least a byte each: no more than the bytes left.</summary>
    private static int Count(ref BlobReader r)
    {
        if (!r.TryReadCompressedInteger(out int n)) Fail("a malformed count");
        if (n > r.RemainingBytes) Fail($"a count of {n} with {r.RemainingBytes} bytes left");
        return n;
    }

    private static void Type(ref BlobReader r, MetadataReader md, int depth)
    {
        while (true)
        {
            if (depth > MaxDepth) Fail($"types nested more than {MaxDepth} deep");
            if (r.RemainingBytes == 0) Fail("a type cut short");
            byte code = r.ReadByte();
            switch (code)
            {
                case >= 0x01 and <= 0x0E:                      // void, bool, char, i1 ... r8, string
                case 0x16: case 0x18: case 0x19: case 0x1C:   // typedref, native int, native uint, object
                    return;
                case 0x0F: case 0x10: case 0x1D: case 0x45:   // pointer, byref, szarray, pinned
                    depth++;
                    continue;
                case 0x1F: case 0x20:                         // custom modifiers: a type token, then the type
                    TypeToken(ref r, md);
                    depth++;
                    continue;
                case 0x11: case 0x12:                         // valuetype, class
                    TypeToken(ref r, md);
                    return;
                case 0x13: case 0x1E:                         // !n, !!n
                    if (!r.TryReadCompressedInteger(out _)) Fail("a malformed generic parameter number");
                    return;
                case 0x14:                                    // array: element, rank, sizes, lower bounds
                {
                    Type(ref r, md, depth + 1);
                    if (!r.TryReadCompressedInteger(out _)) Fail("a malformed array rank");
                    int sizes = Count(ref r);
                    for (int i = 0; i < sizes; i++) if (!r.TryReadCompressedInteger(out _)) Fail("a malformed array size");
                    int bounds = Count(ref r);
                    for (int i = 0; i < bounds; i++) if (!r.TryReadCompressedSignedInteger(out _)) Fail("a malformed array bound");
                    return;
                }
                case 0x15:                                    // generic instantiation
                {
                    if (r.RemainingBytes == 0) Fail("an instantiation cut short");
                    byte kind = r.ReadByte();
                    if (kind is not (0x11 or 0x12)) Fail("an instantiation of neither a class nor a value type");
                    TypeToken(ref r, md);
                    int n = Count(ref r);
                    if (n == 0) Fail("an instantiation without arguments");
                    for (int i = 0; i < n; i++) Type(ref r, md, depth + 1);
                    return;
                }
                case 0x1B:                                    // function pointer
                {
                    var header = r.ReadSignatureHeader();
                    if (header.IsGeneric && !r.TryReadCompressedInteger(out _)) Fail("a malformed generic arity");
                    int n = Count(ref r);
                    Type(ref r, md, depth + 1);
                    for (int i = 0; i < n; i++)
                    {
                        if (r.RemainingBytes > 0 && r.ReadByte() != (byte)SignatureTypeCode.Sentinel) r.Offset--;
                        Type(ref r, md, depth + 1);
                    }
                    return;
                }
                default:
                    Fail($"element type 0x{code:x2}");
                    return;
            }
        }
    }

    /// <summary>A TypeDefOrRefOrSpecEncoded token (II.23.2.8) naming a row of its table.</summary>
    private static void TypeToken(ref BlobReader r, MetadataReader md)
    {
        if (!r.TryReadCompressedInteger(out int v)) Fail("a malformed type token");
        int row = v >> 2;
        if ((v & 3) == 3) Fail("a type token with an unused tag");
        var table = (v & 3) switch { 0 => TableIndex.TypeDef, 1 => TableIndex.TypeRef, _ => TableIndex.TypeSpec };
        if (row < 1 || row > md.GetTableRowCount(table)) Fail($"a type token naming row {row} of {table}, which has {md.GetTableRowCount(table)}");
        if (table == TableIndex.TypeSpec) s_specsNamed?.Add(row);
    }

    // ----- method bodies ---------------------------------------------------------------------

    private static readonly Dictionary<short, OperandType> s_operands = typeof(OpCodes).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)).ToDictionary(o => o.Value, o => o.OperandType);

    /// <summary>
    /// Switch tables fit in the code (Cecil allocates one entry per case before it reads them: a
    /// count of 800 million from bytes copied into a body allocated 3 GB). The code is decoded as
    /// Cecil decodes it, so a switch Cecil would meet is met here: an opcode it does not know takes
    /// a 4-byte operand, and a byte past its tables (after 0xe0, or 0xfe then past 0x1e) ends the
    /// decoding (Cecil throws there). Null, or what is wrong.
    /// </summary>
    private static string Il(MethodBodyBlock body, byte[] userStrings)
    {
        var r = body.GetILReader();
        while (r.RemainingBytes > 0)
        {
            short op = r.ReadByte();
            if (op == 0xfe)
            {
                if (r.RemainingBytes == 0) return null;
                byte second = r.ReadByte();
                if (second >= 0x1f) return null;
                op = unchecked((short)(0xfe00 | second));
            }
            else if (op > 0xe0) return null;
            var kind = s_operands.TryGetValue(op, out var k) ? k : OperandType.InlineBrTarget;
            int size = kind switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                _ => 4,
            };
            if (kind == OperandType.InlineSwitch)
            {
                if (r.RemainingBytes < 4) return null;
                uint n = r.ReadUInt32();
                if (n > (uint)r.RemainingBytes / 4) return $"corrupt method body: a switch of {n} cases in {r.RemainingBytes} bytes of code";
                size = (int)n * 4;
            }
            if (size > r.RemainingBytes) return null;
            if (kind == OperandType.InlineString)
            {
                if (UserString(r.ReadInt32(), userStrings) is string bad) return bad;
            }
            else r.Offset += size;
        }
        return null;
    }

    /// <summary>
    /// An ldstr token names a string of the #US heap whose length fits the heap (Cecil allocates
    /// the length it reads first: an ldstr into the middle of the heap allocated a gigabyte).
    /// </summary>
    private static string UserString(int token, byte[] heap)
    {
        if ((token >> 24 & 0xff) != 0x70) return $"corrupt method body: ldstr with token 0x{token:x8}, not a string";
        int at = token & 0xffffff;
        if (at == 0) return null;
        if (at >= heap.Length) return $"corrupt method body: ldstr of offset 0x{at:x} past the string heap ({heap.Length} bytes)";
        // A compressed length (II.24.2.4): 1, 2 or 4 bytes.
        byte b = heap[at];
        long length; int header;
        if ((b & 0x80) == 0) { length = b; header = 1; }
        else if ((b & 0xc0) == 0x80 && at + 1 < heap.Length) { length = (b & 0x3f) << 8 | heap[at + 1]; header = 2; }
        else if ((b & 0xe0) == 0xc0 && at + 3 < heap.Length) { length = (b & 0x1f) << 24 | heap[at + 1] << 16 | heap[at + 2] << 8 | heap[at + 3]; header = 4; }
        else return $"corrupt method body: ldstr of offset 0x{at:x}, where the string heap holds no string";
        if (at + header + length > heap.Length) return $"corrupt method body: ldstr of a string of {length} bytes at offset 0x{at:x} in a heap of {heap.Length}";
        return null;
    }

    private static void Fail(string message) => throw new UnusableInputException(Codes.NotAnAssembly, message);

    private static void Corrupt(string message) => throw new UnusableInputException(Codes.NotAnAssembly, "corrupt metadata: " + message);
}

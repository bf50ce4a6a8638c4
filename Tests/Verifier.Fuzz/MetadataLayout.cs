using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Singularity.Verifier.Fuzz;

/// <summary>What a metadata column holds (ECMA-335 II.22), so an edit can choose values that look right or are just out of range.</summary>
public enum ColumnKind { U16, U32, String, Guid, Blob, Index, Coded }

/// <summary>A coded index (II.24.2.6): the tables its tag selects, in tag order (-1: an unused tag).</summary>
public sealed record CodedIndex(string Name, int TagBits, int[] Tables);

public sealed record Column(string Name, ColumnKind Kind, int Offset, int Size, int Table = -1, CodedIndex Coded = null);

/// <summary>One metadata table of an image: where its rows are in the file and what its columns are.</summary>
public sealed record Table(TableIndex Index, int FileOffset, int RowSize, int Rows, Column[] Columns)
{
    public int RowOffset(int row1) => FileOffset + (row1 - 1) * RowSize;
}

/// <summary>A method body in the file: header, code, and the exception sections after it.</summary>
public sealed record Body(int MethodRow, int HeaderOffset, bool Fat, int CodeOffset, int CodeSize, int SectionsOffset, int FileEnd);

/// <summary>
/// The physical layout of an assembly's metadata tables and method bodies, located with
/// System.Reflection.Metadata (table offsets, row sizes and counts, bodies) and II.22's schema
/// for the columns inside a row.
/// </summary>
public sealed class MetadataLayout
{
    public Dictionary<TableIndex, Table> Tables { get; } = new();
    public List<Body> Bodies { get; } = new();
    public int MetadataOffset { get; private set; }
    public int MetadataSize { get; private set; }
    public int StringHeapSize { get; private set; }
    public int BlobHeapSize { get; private set; }
    public int GuidHeapSize { get; private set; }
    public int UserStringHeapSize { get; private set; }
    /// <summary>Row counts by table number (0..63), for coded index sizes and token edits.</summary>
    public int[] RowCounts { get; } = new int[64];
    /// <summary>Sections: (virtual address, virtual size, raw pointer, raw size).</summary>
    public List<(int Va, int VSize, int Raw, int RawSize)> Sections { get; } = new();

    public static readonly CodedIndex TypeDefOrRef = new("TypeDefOrRef", 2, new[] { 0x02, 0x01, 0x1B });
    public static readonly CodedIndex HasConstant = new("HasConstant", 2, new[] { 0x04, 0x08, 0x17 });
    public static readonly CodedIndex HasCustomAttribute = new("HasCustomAttribute", 5, new[] { 0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0A, 0x00, 0x0E, 0x17, 0x14, 0x11, 0x1A, 0x1B, 0x20, 0x23, 0x26, 0x27, 0x28, 0x2A, 0x2C, 0x2B });
    public static readonly CodedIndex HasFieldMarshal = new("HasFieldMarshal", 1, new[] { 0x04, 0x08 });
    public static readonly CodedIndex HasDeclSecurity = new("HasDeclSecurity", 2, new[] { 0x02, 0x06, 0x20 });
    public static readonly CodedIndex MemberRefParent = new("MemberRefParent", 3, new[] { 0x02, 0x01, 0x1A, 0x06, 0x1B });
    public static readonly CodedIndex HasSemantics = new("HasSemantics", 1, new[] { 0x14, 0x17 });
    public static readonly CodedIndex MethodDefOrRef = new("MethodDefOrRef", 1, new[] { 0x06, 0x0A });
    public static readonly CodedIndex MemberForwarded = new("MemberForwarded", 1, new[] { 0x04, 0x06 });
    public static readonly CodedIndex Implementation = new("Implementation", 2, new[] { 0x26, 0x23, 0x27 });
    public static readonly CodedIndex CustomAttributeType = new("CustomAttributeType", 3, new[] { -1, -1, 0x06, 0x0A, -1 });
    public static readonly CodedIndex ResolutionScope = new("ResolutionScope", 2, new[] { 0x00, 0x1A, 0x23, 0x01 });
    public static readonly CodedIndex TypeOrMethodDef = new("TypeOrMethodDef", 1, new[] { 0x02, 0x06 });

    // Column kinds per table: (name, kind, table or coded index). Index columns name their table number.
    private static (string, ColumnKind, object)[] Schema(TableIndex t) => t switch
    {
        TableIndex.Module => new (string, ColumnKind, object)[] { ("Generation", ColumnKind.U16, null), ("Name", ColumnKind.String, null), ("Mvid", ColumnKind.Guid, null), ("EncId", ColumnKind.Guid, null), ("EncBaseId", ColumnKind.Guid, null) },
        TableIndex.TypeRef => new (string, ColumnKind, object)[] { ("ResolutionScope", ColumnKind.Coded, ResolutionScope), ("TypeName", ColumnKind.String, null), ("TypeNamespace", ColumnKind.String, null) },
        TableIndex.TypeDef => new (string, ColumnKind, object)[] { ("Flags", ColumnKind.U32, null), ("TypeName", ColumnKind.String, null), ("TypeNamespace", ColumnKind.String, null), ("Extends", ColumnKind.Coded, TypeDefOrRef), ("FieldList", ColumnKind.Index, 0x04), ("MethodList", ColumnKind.Index, 0x06) },
        TableIndex.Field => new (string, ColumnKind, object)[] { ("Flags", ColumnKind.U16, null), ("Name", ColumnKind.String, null), ("Signature", ColumnKind.Blob, null) },
        TableIndex.MethodDef => new (string, ColumnKind, object)[] { ("RVA", ColumnKind.U32, null), ("ImplFlags", ColumnKind.U16, null), ("Flags", ColumnKind.U16, null), ("Name", ColumnKind.String, null), ("Signature", ColumnKind.Blob, null), ("ParamList", ColumnKind.Index, 0x08) },
        TableIndex.Param => new (string, ColumnKind, object)[] { ("Flags", ColumnKind.U16, null), ("Sequence", ColumnKind.U16, null), ("Name", ColumnKind.String, null) },
        TableIndex.InterfaceImpl => new (string, ColumnKind, object)[] { ("Class", ColumnKind.Index, 0x02), ("Interface", ColumnKind.Coded, TypeDefOrRef) },
        TableIndex.MemberRef => new (string, ColumnKind, object)[] { ("Class", ColumnKind.Coded, MemberRefParent), ("Name", ColumnKind.String, null), ("Signature", ColumnKind.Blob, null) },
        TableIndex.Constant => new (string, ColumnKind, object)[] { ("Type", ColumnKind.U16, null), ("Parent", ColumnKind.Coded, HasConstant), ("Value", ColumnKind.Blob, null) },
        TableIndex.CustomAttribute => new (string, ColumnKind, object)[] { ("Parent", ColumnKind.Coded, HasCustomAttribute), ("Type", ColumnKind.Coded, CustomAttributeType), ("Value", ColumnKind.Blob, null) },
        TableIndex.FieldMarshal => new (string, ColumnKind, object)[] { ("Parent", ColumnKind.Coded, HasFieldMarshal), ("NativeType", ColumnKind.Blob, null) },
        TableIndex.DeclSecurity => new (string, ColumnKind, object)[] { ("Action", ColumnKind.U16, null), ("Parent", ColumnKind.Coded, HasDeclSecurity), ("PermissionSet", ColumnKind.Blob, null) },
        TableIndex.ClassLayout => new (string, ColumnKind, object)[] { ("PackingSize", ColumnKind.U16, null), ("ClassSize", ColumnKind.U32, null), ("Parent", ColumnKind.Index, 0x02) },
        TableIndex.FieldLayout => new (string, ColumnKind, object)[] { ("Offset", ColumnKind.U32, null), ("Field", ColumnKind.Index, 0x04) },
        TableIndex.StandAloneSig => new (string, ColumnKind, object)[] { ("Signature", ColumnKind.Blob, null) },
        TableIndex.EventMap => new (string, ColumnKind, object)[] { ("Parent", ColumnKind.Index, 0x02), ("EventList", ColumnKind.Index, 0x14) },
        TableIndex.Event => new (string, ColumnKind, object)[] { ("EventFlags", ColumnKind.U16, null), ("Name", ColumnKind.String, null), ("EventType", ColumnKind.Coded, TypeDefOrRef) },
        TableIndex.PropertyMap => new (string, ColumnKind, object)[] { ("Parent", ColumnKind.Index, 0x02), ("PropertyList", ColumnKind.Index, 0x17) },
        TableIndex.Property => new (string, ColumnKind, object)[] { ("Flags", ColumnKind.U16, null), ("Name", ColumnKind.String, null), ("Type", ColumnKind.Blob, null) },
        TableIndex.MethodSemantics => new (string, ColumnKind, object)[] { ("Semantics", ColumnKind.U16, null), ("Method", ColumnKind.Index, 0x06), ("Association", ColumnKind.Coded, HasSemantics) },
        TableIndex.MethodImpl => new (string, ColumnKind, object)[] { ("Class", ColumnKind.Index, 0x02), ("MethodBody", ColumnKind.Coded, MethodDefOrRef), ("MethodDeclaration", ColumnKind.Coded, MethodDefOrRef) },
        TableIndex.ModuleRef => new (string, ColumnKind, object)[] { ("Name", ColumnKind.String, null) },
        TableIndex.TypeSpec => new (string, ColumnKind, object)[] { ("Signature", ColumnKind.Blob, null) },
        TableIndex.ImplMap => new (string, ColumnKind, object)[] { ("MappingFlags", ColumnKind.U16, null), ("MemberForwarded", ColumnKind.Coded, MemberForwarded), ("ImportName", ColumnKind.String, null), ("ImportScope", ColumnKind.Index, 0x1A) },
        TableIndex.FieldRva => new (string, ColumnKind, object)[] { ("RVA", ColumnKind.U32, null), ("Field", ColumnKind.Index, 0x04) },
        TableIndex.Assembly => new (string, ColumnKind, object)[] { ("HashAlgId", ColumnKind.U32, null), ("Major", ColumnKind.U16, null), ("Minor", ColumnKind.U16, null), ("Build", ColumnKind.U16, null), ("Revision", ColumnKind.U16, null), ("Flags", ColumnKind.U32, null), ("PublicKey", ColumnKind.Blob, null), ("Name", ColumnKind.String, null), ("Culture", ColumnKind.String, null) },
        TableIndex.AssemblyRef => new (string, ColumnKind, object)[] { ("Major", ColumnKind.U16, null), ("Minor", ColumnKind.U16, null), ("Build", ColumnKind.U16, null), ("Revision", ColumnKind.U16, null), ("Flags", ColumnKind.U32, null), ("PublicKeyOrToken", ColumnKind.Blob, null), ("Name", ColumnKind.String, null), ("Culture", ColumnKind.String, null), ("HashValue", ColumnKind.Blob, null) },
        TableIndex.File => new (string, ColumnKind, object)[] { ("Flags", ColumnKind.U32, null), ("Name", ColumnKind.String, null), ("HashValue", ColumnKind.Blob, null) },
        TableIndex.ExportedType => new (string, ColumnKind, object)[] { ("Flags", ColumnKind.U32, null), ("TypeDefId", ColumnKind.U32, null), ("TypeName", ColumnKind.String, null), ("TypeNamespace", ColumnKind.String, null), ("Implementation", ColumnKind.Coded, Implementation) },
        TableIndex.ManifestResource => new (string, ColumnKind, object)[] { ("Offset", ColumnKind.U32, null), ("Flags", ColumnKind.U32, null), ("Name", ColumnKind.String, null), ("Implementation", ColumnKind.Coded, Implementation) },
        TableIndex.NestedClass => new (string, ColumnKind, object)[] { ("NestedClass", ColumnKind.Index, 0x02), ("EnclosingClass", ColumnKind.Index, 0x02) },
        TableIndex.GenericParam => new (string, ColumnKind, object)[] { ("Number", ColumnKind.U16, null), ("Flags", ColumnKind.U16, null), ("Owner", ColumnKind.Coded, TypeOrMethodDef), ("Name", ColumnKind.String, null) },
        TableIndex.MethodSpec => new (string, ColumnKind, object)[] { ("Method", ColumnKind.Coded, MethodDefOrRef), ("Instantiation", ColumnKind.Blob, null) },
        TableIndex.GenericParamConstraint => new (string, ColumnKind, object)[] { ("Owner", ColumnKind.Index, 0x2A), ("Constraint", ColumnKind.Coded, TypeDefOrRef) },
        _ => null,
    };

    /// <summary>Reads the layout; null when the image is not one System.Reflection.Metadata can read (seeds always are).</summary>
    public static MetadataLayout Read(byte[] image)
    {
        try
        {
            var l = new MetadataLayout();
            using var pe = new PEReader(ImmutableArray.Create(image));
            var md = pe.GetMetadataReader();
            var headers = pe.PEHeaders;
            foreach (var s in headers.SectionHeaders) l.Sections.Add((s.VirtualAddress, s.VirtualSize, s.PointerToRawData, s.SizeOfRawData));
            l.MetadataOffset = headers.MetadataStartOffset;
            l.MetadataSize = headers.MetadataSize;
            l.StringHeapSize = md.GetHeapSize(HeapIndex.String);
            l.BlobHeapSize = md.GetHeapSize(HeapIndex.Blob);
            l.GuidHeapSize = md.GetHeapSize(HeapIndex.Guid);
            l.UserStringHeapSize = md.GetHeapSize(HeapIndex.UserString);
            byte heapSizes = HeapSizeFlags(image, l.MetadataOffset);
            int strSize = (heapSizes & 1) != 0 ? 4 : 2, guidSize = (heapSizes & 2) != 0 ? 4 : 2, blobSize = (heapSizes & 4) != 0 ? 4 : 2;
            for (int t = 0; t <= 0x2C; t++) l.RowCounts[t] = md.GetTableRowCount((TableIndex)t);
            int IndexSize(int table) => l.RowCounts[table] < 0x10000 ? 2 : 4;
            int CodedSize(CodedIndex c) => c.Tables.Where(x => x >= 0).Max(x => l.RowCounts[x]) < (1 << (16 - c.TagBits)) ? 2 : 4;
            for (int t = 0; t <= 0x2C; t++)
            {
                var ti = (TableIndex)t;
                int rows = l.RowCounts[t];
                var schema = Schema(ti);
                if (rows == 0 || schema == null) continue;
                var cols = new List<Column>();
                int off = 0;
                foreach (var (name, kind, arg) in schema)
                {
                    int size = kind switch
                    {
                        ColumnKind.U16 => 2,
                        ColumnKind.U32 => 4,
                        ColumnKind.String => strSize,
                        ColumnKind.Guid => guidSize,
                        ColumnKind.Blob => blobSize,
                        ColumnKind.Index => IndexSize((int)arg),
                        _ => CodedSize((CodedIndex)arg),
                    };
                    cols.Add(new Column(name, kind, off, size, kind == ColumnKind.Index ? (int)arg : -1, arg as CodedIndex));
                    off += size;
                }
                if (off != md.GetTableRowSize(ti)) continue;   // our schema disagrees: leave the table alone
                l.Tables[ti] = new Table(ti, l.MetadataOffset + md.GetTableMetadataOffset(ti), off, rows, cols.ToArray());
            }
            int row = 0;
            foreach (var h in md.MethodDefinitions)
            {
                row++;
                var def = md.GetMethodDefinition(h);
                if (def.RelativeVirtualAddress == 0) continue;
                int at = l.FileOffset(def.RelativeVirtualAddress);
                if (at < 0 || at >= image.Length) continue;
                var body = pe.GetMethodBody(def.RelativeVirtualAddress);
                bool fat = (image[at] & 3) == 3;
                int headerSize = fat ? (image[at + 1] >> 4) * 4 : 1;
                int code = at + headerSize;
                int sections = body.ExceptionRegions.Length > 0 ? (code + body.Size + 3) & ~3 : -1;
                int end = sections < 0 ? code + body.Size : SectionsEnd(image, sections);
                l.Bodies.Add(new Body(row, at, fat, code, body.Size, sections, end));
            }
            return l;
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    public int FileOffset(int rva)
    {
        foreach (var (va, vsize, raw, rawSize) in Sections)
            if (rva >= va && rva < va + Math.Max(vsize, rawSize)) return rva - va + raw;
        return -1;
    }

    /// <summary>The #~ stream's HeapSizes byte (II.24.2.6): which heaps use 4-byte indexes.</summary>
    private static byte HeapSizeFlags(byte[] image, int root)
    {
        int versionLength = BinaryPrimitives.ReadInt32LittleEndian(image.AsSpan(root + 12));
        int p = root + 16 + versionLength + 2;
        int streams = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(p));
        p += 2;
        for (int s = 0; s < streams; s++)
        {
            int offset = BinaryPrimitives.ReadInt32LittleEndian(image.AsSpan(p));
            p += 8;
            int nameStart = p;
            while (image[p] != 0) p++;
            string name = System.Text.Encoding.ASCII.GetString(image, nameStart, p - nameStart);
            p = nameStart + ((p - nameStart + 4) & ~3);
            if (name is "#~" or "#-") return image[root + offset + 6];
        }
        throw new BadImageFormatException("no #~ stream");
    }

    private static int SectionsEnd(byte[] image, int p)
    {
        while (p + 4 <= image.Length)
        {
            byte kind = image[p];
            bool fat = (kind & 0x40) != 0;
            int size = fat ? image[p + 1] | image[p + 2] << 8 | image[p + 3] << 16 : image[p + 1];
            if (size < 4) return p + 4;
            int next = p + size;
            if ((kind & 0x80) == 0) return next;
            p = (next + 3) & ~3;
        }
        return image.Length;
    }
}

namespace System.Runtime.ExceptionHandling
{
    /// <summary>Readers for the encodings in .eh_frame, .eh_frame_hdr and ilc's EH tables.</summary>
    /// <unsafe>Decoders over the image's own unwind and EH tables (.eh_frame, .eh_frame_hdr,
    /// .dotnet_eh_table, written by ilc and ld; no SIP code can write them). Each advances the cursor
    /// by exactly the bytes its encoding says; indirect pointers are followed only for the encodings
    /// the tables use.</unsafe>
    internal static unsafe class EhEncoding
    {
        public const byte Omit = 0xff;

        public static ulong ReadUleb(ref byte* p)
        {
            ulong result = 0;
            int shift = 0;
            byte b;
            do
            {
                b = *p++;
                if (shift < 64) result |= (ulong)(b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            return result;
        }

        public static long ReadSleb(ref byte* p)
        {
            long result = 0;
            int shift = 0;
            byte b;
            do
            {
                b = *p++;
                if (shift < 64) result |= (long)(b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
            return result;
        }

        /// <summary>
        /// A DW_EH_PE-encoded pointer. <paramref name="dataBase"/> anchors datarel values
        /// (the start of .eh_frame_hdr). Returns false for an encoding this reader does not know.
        /// </summary>
        public static bool ReadEncoded(ref byte* p, byte encoding, ulong dataBase, out ulong value)
        {
            value = 0;
            if (encoding == Omit) return true;
            byte* field = p;
            long raw;
            switch (encoding & 0x0f)
            {
                case 0x00: raw = *(long*)p; p += 8; break;                 // absptr
                case 0x01: raw = (long)ReadUleb(ref p); break;
                case 0x02: raw = *(ushort*)p; p += 2; break;
                case 0x03: raw = *(uint*)p; p += 4; break;
                case 0x04: raw = *(long*)p; p += 8; break;
                case 0x09: raw = ReadSleb(ref p); break;
                case 0x0a: raw = *(short*)p; p += 2; break;
                case 0x0b: raw = *(int*)p; p += 4; break;
                case 0x0c: raw = *(long*)p; p += 8; break;
                default: return false;
            }
            switch (encoding & 0x70)
            {
                case 0x00: break;
                case 0x10: raw += (long)field; break;                       // pcrel
                case 0x30: raw += (long)dataBase; break;                    // datarel
                default: return false;
            }
            value = (ulong)raw;
            if ((encoding & 0x80) != 0) value = *(ulong*)value;             // indirect
            return true;
        }

        /// <summary>NativeFormat's compressed unsigned integer (ilc's EH clause tables).</summary>
        public static uint ReadCompressed(ref byte* p)
        {
            uint b = *p;
            if ((b & 1) == 0) { p += 1; return b >> 1; }
            if ((b & 2) == 0) { uint v = (b >> 2) | ((uint)p[1] << 6); p += 2; return v; }
            if ((b & 4) == 0) { uint v = (b >> 3) | ((uint)p[1] << 5) | ((uint)p[2] << 13); p += 3; return v; }
            if ((b & 8) == 0) { uint v = (b >> 4) | ((uint)p[1] << 4) | ((uint)p[2] << 12) | ((uint)p[3] << 20); p += 4; return v; }
            uint w = *(uint*)(p + 1);
            p += 5;
            return w;
        }

        /// <summary>A 32-bit self-relative pointer (ilc's RELPTR32 relocation).</summary>
        public static byte* ReadRelPtr32(ref byte* p)
        {
            byte* target = p + *(int*)p;
            p += 4;
            return target;
        }
    }
}

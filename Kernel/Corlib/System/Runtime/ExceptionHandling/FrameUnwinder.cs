using System.Runtime.CompilerServices;

namespace System.Runtime.ExceptionHandling
{
    /// <summary>What the unwind tables say about the code at one address.</summary>
    internal unsafe struct CodeInfo
    {
        public ulong PcBegin, PcEnd;    // the FDE's range: a method body or one funclet
        public byte* Lsda;              // ilc's per-range blob (.dotnet_eh_table), or null
        public byte* Fde;
    }

    /// <summary>
    /// Finds the unwind entry (FDE) for a code address through the sorted table ld builds
    /// (.eh_frame_hdr, --eh-frame-hdr) and steps a frame to its caller by running the DWARF
    /// call-frame program ilc emitted for the method. Only code with an FDE is managed code;
    /// the walk ends at the first frame without one.
    /// </summary>
    /// <unsafe>The tables (found through eh_frame_hdr_bounds, the linker's symbols) are the image's own,
    /// written by ld and ilc, searched within the count they give. Unwind reads the saved return
    /// address and callee-saved registers of one frame from the stack being unwound, at the CFA offsets
    /// the frame's call-frame program gives; the stack is the throwing thread's own, whose frames were
    /// laid out by ilc's prologues (verified SIP code cannot write a return address or saved register:
    /// it has no pointers, and byrefs to locals never escape). Only registers 0-16 are tracked
    /// (SetOffset ignores others); an unknown instruction or CFA register ends the walk (false).</unsafe>
    internal static unsafe class FrameUnwinder
    {
        // DWARF x86-64 register numbers.
        private const int RegRbx = 3, RegRbp = 6, RegRsp = 7, RegR12 = 12, RegR15 = 15, RegRa = 16;
        private const int RegCount = 17;

        private static byte* s_hdr;
        private static byte* s_table;
        private static ulong s_count;
        private static bool s_ready, s_tried;
        private static ulong s_funcletReturn;

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "eh_frame_hdr_bounds")]
        private static extern void FrameHdrBounds(ulong* bounds);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "eh_funclet_return_address")]
        private static extern ulong FuncletReturnAddress();

        /// <summary>The return address inside eh_call_funclet: a funclet's caller.</summary>
        public static ulong FuncletReturn
        {
            get
            {
                if (s_funcletReturn == 0) s_funcletReturn = FuncletReturnAddress();
                return s_funcletReturn;
            }
        }

        private static bool EnsureTable()
        {
            if (s_ready) return true;
            if (s_tried) return false;
            s_tried = true;
            ulong* bounds = stackalloc ulong[2];
            FrameHdrBounds(bounds);
            byte* hdr = (byte*)bounds[0];
            if (bounds[1] - bounds[0] < 12 || hdr[0] != 1) return false;
            byte framePtrEnc = hdr[1], countEnc = hdr[2], tableEnc = hdr[3];
            byte* p = hdr + 4;
            if (!EhEncoding.ReadEncoded(ref p, framePtrEnc, (ulong)hdr, out _)) return false;
            if (!EhEncoding.ReadEncoded(ref p, countEnc, (ulong)hdr, out ulong count)) return false;
            // The binary-search table ld writes: pairs of datarel sdata4 (start pc, FDE).
            if (tableEnc != 0x3b) return false;
            s_hdr = hdr;
            s_table = p;
            s_count = count;
            s_ready = true;
            return true;
        }

        /// <summary>The FDE covering <paramref name="pc"/>, if the address is in managed code.</summary>
        public static bool Find(ulong pc, out CodeInfo info)
        {
            info = default;
            if (!EnsureTable() || s_count == 0) return false;
            int* table = (int*)s_table;
            long lo = 0, hi = (long)s_count - 1, found = -1;
            while (lo <= hi)
            {
                long mid = (lo + hi) / 2;
                ulong start = (ulong)((long)s_hdr + table[mid * 2]);
                if (start <= pc) { found = mid; lo = mid + 1; }
                else hi = mid - 1;
            }
            if (found < 0) return false;
            byte* fde = s_hdr + table[found * 2 + 1];
            if (!ParseFde(fde, out info, out _, out _)) return false;
            return pc >= info.PcBegin && pc < info.PcEnd;
        }

        private struct Cie
        {
            public byte* Instructions, End;
            public ulong CodeAlign;
            public long DataAlign;
            public int RaReg;
            public byte FdeEncoding, LsdaEncoding;
            public bool HasAugmentationData;
        }

        private static bool ParseCie(byte* cie, out Cie c)
        {
            c = default;
            uint length = *(uint*)cie;
            if (length == 0 || length == 0xffffffff) return false;
            byte* end = cie + 4 + length;
            byte* p = cie + 8;                                  // past length and CIE id
            byte version = *p++;
            byte* aug = p;
            while (*p != 0) p++;
            p++;
            c.CodeAlign = EhEncoding.ReadUleb(ref p);
            c.DataAlign = EhEncoding.ReadSleb(ref p);
            c.RaReg = version == 1 ? *p++ : (int)EhEncoding.ReadUleb(ref p);
            c.FdeEncoding = 0;          // absptr
            c.LsdaEncoding = EhEncoding.Omit;
            if (aug[0] == (byte)'z')
            {
                c.HasAugmentationData = true;
                ulong augLength = EhEncoding.ReadUleb(ref p);
                byte* augEnd = p + augLength;
                for (byte* a = aug + 1; *a != 0; a++)
                {
                    if (*a == (byte)'L') c.LsdaEncoding = *p++;
                    else if (*a == (byte)'R') c.FdeEncoding = *p++;
                    else if (*a == (byte)'P')
                    {
                        byte enc = *p++;
                        if (!EhEncoding.ReadEncoded(ref p, enc, 0, out _)) return false;
                    }
                    else if (*a == (byte)'S') { }
                    else break;                                 // unknown: the length lets us skip
                }
                p = augEnd;
            }
            else if (aug[0] != 0) return false;
            c.Instructions = p;
            c.End = end;
            return true;
        }

        private static bool ParseFde(byte* fde, out CodeInfo info, out Cie cie, out byte* instructions)
        {
            info = default;
            cie = default;
            instructions = null;
            uint length = *(uint*)fde;
            if (length == 0 || length == 0xffffffff) return false;
            byte* cieField = fde + 4;
            byte* ciePtr = cieField - *(uint*)cieField;
            if (!ParseCie(ciePtr, out cie)) return false;
            byte* p = fde + 8;
            if (!EhEncoding.ReadEncoded(ref p, cie.FdeEncoding, 0, out ulong begin)) return false;
            if (!EhEncoding.ReadEncoded(ref p, (byte)(cie.FdeEncoding & 0x0f), 0, out ulong range)) return false;
            byte* lsda = null;
            if (cie.HasAugmentationData)
            {
                ulong augLength = EhEncoding.ReadUleb(ref p);
                byte* augEnd = p + augLength;
                if (cie.LsdaEncoding != EhEncoding.Omit && augLength > 0)
                {
                    if (!EhEncoding.ReadEncoded(ref p, cie.LsdaEncoding, 0, out ulong l)) return false;
                    lsda = (byte*)l;
                }
                p = augEnd;
            }
            info.PcBegin = begin;
            info.PcEnd = begin + range;
            info.Lsda = lsda;
            info.Fde = fde;
            instructions = p;
            return true;
        }

        // The CFA rule and where each register was saved (offset from the CFA), for one row.
        private struct Row
        {
            public int CfaReg;
            public long CfaOffset;
            public fixed long Offset[RegCount];
            public fixed byte Saved[RegCount];
        }

        /// <summary>
        /// Steps <paramref name="ctx"/> from a frame to its caller. <paramref name="faultSite"/>
        /// says ctx.Rip is the instruction that faulted rather than a return address (which
        /// points after its call). Returns false when the frame has no unwind information.
        /// </summary>
        public static bool Unwind(ref RegContext ctx, bool faultSite)
        {
            ulong pc = faultSite ? ctx.Rip : ctx.Rip - 1;
            if (!Find(pc, out CodeInfo info)) return false;
            if (!ParseFde(info.Fde, out _, out Cie cie, out byte* instructions)) return false;
            byte* fdeEnd = info.Fde + 4 + *(uint*)info.Fde;

            Row row = default;
            ulong target = pc - info.PcBegin;
            ulong loc = 0;
            if (!Run(cie.Instructions, cie.End, ref cie, ref row, ref loc, ulong.MaxValue)) return false;
            loc = 0;
            if (!Run(instructions, fdeEnd, ref cie, ref row, ref loc, target)) return false;

            ulong cfaBase;
            if (row.CfaReg == RegRsp) cfaBase = ctx.Rsp;
            else if (row.CfaReg == RegRbp) cfaBase = ctx.Rbp;
            else if (row.CfaReg == RegRbx) cfaBase = ctx.Rbx;
            else if (row.CfaReg == RegR12) cfaBase = ctx.R12;
            else if (row.CfaReg == RegR12 + 1) cfaBase = ctx.R13;
            else if (row.CfaReg == RegR12 + 2) cfaBase = ctx.R14;
            else if (row.CfaReg == RegR15) cfaBase = ctx.R15;
            else return false;
            ulong cfa = (ulong)((long)cfaBase + row.CfaOffset);
            if (row.Saved[RegRa] == 0) return false;

            RegContext caller = ctx;
            caller.Rip = *(ulong*)((long)cfa + row.Offset[RegRa]);
            caller.Rsp = cfa;
            if (row.Saved[RegRbp] != 0) caller.Rbp = *(ulong*)((long)cfa + row.Offset[RegRbp]);
            if (row.Saved[RegRbx] != 0) caller.Rbx = *(ulong*)((long)cfa + row.Offset[RegRbx]);
            if (row.Saved[RegR12] != 0) caller.R12 = *(ulong*)((long)cfa + row.Offset[RegR12]);
            if (row.Saved[RegR12 + 1] != 0) caller.R13 = *(ulong*)((long)cfa + row.Offset[RegR12 + 1]);
            if (row.Saved[RegR12 + 2] != 0) caller.R14 = *(ulong*)((long)cfa + row.Offset[RegR12 + 2]);
            if (row.Saved[RegR15] != 0) caller.R15 = *(ulong*)((long)cfa + row.Offset[RegR15]);
            ctx = caller;
            return true;
        }

        // Runs call-frame instructions until the location passes target. ilc emits only the
        // prologue subset (advance, def_cfa*, offset); state save/restore is not supported.
        private static bool Run(byte* p, byte* end, ref Cie cie, ref Row row, ref ulong loc, ulong target)
        {
            while (p < end)
            {
                byte op = *p++;
                byte high = (byte)(op & 0xc0), low = (byte)(op & 0x3f);
                if (high == 0x40)
                {
                    loc += low * cie.CodeAlign;
                    if (loc > target) return true;
                    continue;
                }
                if (high == 0x80)
                {
                    long off = (long)EhEncoding.ReadUleb(ref p) * cie.DataAlign;
                    if (!SetOffset(ref row, low, off)) return false;
                    continue;
                }
                if (high == 0xc0)
                {
                    if (low < RegCount) row.Saved[low] = 0;
                    continue;
                }
                switch (op)
                {
                    case 0x00: break;                                            // nop
                    case 0x02: loc += *p++ * cie.CodeAlign; if (loc > target) return true; break;
                    case 0x03: loc += *(ushort*)p * cie.CodeAlign; p += 2; if (loc > target) return true; break;
                    case 0x04: loc += *(uint*)p * cie.CodeAlign; p += 4; if (loc > target) return true; break;
                    case 0x05:                                                   // offset_extended
                    {
                        ulong reg = EhEncoding.ReadUleb(ref p);
                        long off = (long)EhEncoding.ReadUleb(ref p) * cie.DataAlign;
                        if (!SetOffset(ref row, (int)reg, off)) return false;
                        break;
                    }
                    case 0x06:                                                   // restore_extended
                    case 0x07:                                                   // undefined
                    case 0x08:                                                   // same_value
                    {
                        ulong reg = EhEncoding.ReadUleb(ref p);
                        if (reg < RegCount) row.Saved[reg] = 0;
                        break;
                    }
                    case 0x0c:                                                   // def_cfa
                        row.CfaReg = (int)EhEncoding.ReadUleb(ref p);
                        row.CfaOffset = (long)EhEncoding.ReadUleb(ref p);
                        break;
                    case 0x0d: row.CfaReg = (int)EhEncoding.ReadUleb(ref p); break;        // def_cfa_register
                    case 0x0e: row.CfaOffset = (long)EhEncoding.ReadUleb(ref p); break;    // def_cfa_offset
                    case 0x11:                                                   // offset_extended_sf
                    {
                        ulong reg = EhEncoding.ReadUleb(ref p);
                        long off = EhEncoding.ReadSleb(ref p) * cie.DataAlign;
                        if (!SetOffset(ref row, (int)reg, off)) return false;
                        break;
                    }
                    case 0x12:                                                   // def_cfa_sf
                        row.CfaReg = (int)EhEncoding.ReadUleb(ref p);
                        row.CfaOffset = EhEncoding.ReadSleb(ref p) * cie.DataAlign;
                        break;
                    case 0x13: row.CfaOffset = EhEncoding.ReadSleb(ref p) * cie.DataAlign; break;
                    case 0x2e: EhEncoding.ReadUleb(ref p); break;                // GNU_args_size
                    default: return false;
                }
            }
            return true;
        }

        private static bool SetOffset(ref Row row, int reg, long offset)
        {
            if (reg < 0 || reg >= RegCount) return true;     // a register we do not track
            row.Offset[reg] = offset;
            row.Saved[reg] = 1;
            return true;
        }
    }
}

namespace Singularity.Kernel.Processes
{
    /// <summary>
    /// Reads a SIP image: a static position-independent ELF64 (ET_DYN, x86-64) whose only
    /// relocations are R_X86_64_RELATIVE. Every offset is bounds-checked against the file, so a
    /// corrupt image yields an error message, never a fault.
    /// </summary>
    internal unsafe struct ElfImage
    {
        private const uint PT_LOAD = 1, PT_DYNAMIC = 2;
        private const long DT_NULL = 0, DT_RELA = 7, DT_RELASZ = 8, DT_RELAENT = 9;
        private const uint R_X86_64_RELATIVE = 8;
        private const uint SHT_SYMTAB = 2;

        private readonly byte* _file;
        private readonly ulong _size;

        public ElfImage(byte* file, ulong size) { _file = file; _size = size; }

        private ushort U16(ulong off) => *(ushort*)(_file + off);
        private uint U32(ulong off) => *(uint*)(_file + off);
        private ulong U64(ulong off) => *(ulong*)(_file + off);
        private bool Fits(ulong off, ulong len) => off <= _size && len <= _size - off;

        /// <summary>Checks the headers; returns null if the image is loadable, else the problem.</summary>
        public string Validate()
        {
            if (!Fits(0, 64)) return "file too small for an ELF header";
            if (U32(0) != 0x464C457F) return "not an ELF file (bad magic)";
            if (_file[4] != 2 || _file[5] != 1) return "not a little-endian ELF64 file";
            if (U16(16) != 3) return "not a position-independent image (ELF type is not ET_DYN; link with ld -pie)";
            if (U16(18) != 62) return "not an x86-64 image";
            if (U16(54) != 56) return "unexpected program header size";
            if (!Fits(U64(32), (ulong)U16(56) * 56)) return "program headers lie outside the file";
            // Before Span adds them: a segment whose address + size wraps would fall outside the span it computes.
            for (int i = 0; i < U16(56); i++)
            {
                ulong ph = U64(32) + (ulong)i * 56;
                if (U32(ph) == PT_LOAD && U64(ph + 40) > ulong.MaxValue - 0xFFF - U64(ph + 16)) return "a segment's address range overflows";
            }
            ulong lo, hi;
            if (!Span(out lo, out hi)) return "no loadable segments";
            if (hi - lo > 256UL * 1024 * 1024) return "image larger than 256 MiB";
            for (int i = 0; i < U16(56); i++)
            {
                ulong ph = U64(32) + (ulong)i * 56;
                if (U32(ph) != PT_LOAD) continue;
                ulong off = U64(ph + 8), filesz = U64(ph + 32), memsz = U64(ph + 40);
                if (!Fits(off, filesz) || filesz > memsz) return "a segment lies outside the file";
            }
            ulong entry = U64(24);
            if (entry < lo || entry >= hi) return "entry point outside the image";
            return null;
        }

        /// <summary>The page-aligned virtual range the loadable segments cover (relative to load address 0).</summary>
        public bool Span(out ulong lo, out ulong hi)
        {
            lo = ulong.MaxValue; hi = 0;
            for (int i = 0; i < U16(56); i++)
            {
                ulong ph = U64(32) + (ulong)i * 56;
                if (U32(ph) != PT_LOAD) continue;
                ulong va = U64(ph + 16), memsz = U64(ph + 40);
                if (va < lo) lo = va;
                if (va + memsz > hi) hi = va + memsz;
            }
            if (hi == 0) return false;
            lo &= ~0xFFFUL;
            hi = (hi + 0xFFF) & ~0xFFFUL;
            return true;
        }

        public ulong Entry => U64(24);

        /// <summary>
        /// Copies the segments to <paramref name="load"/> (memory of any contents, <see cref="Span"/>
        /// long) and relocates. Every byte the file does not give (bss, the gaps between segments
        /// and the page tails) is zeroed, and only those: a byte is written once. Null on success.
        /// </summary>
        public string LoadAt(byte* load, ulong loadSize) => LoadAt(load, loadSize, false, out _);

        /// <summary>
        /// As LoadAt; <paramref name="relocationsChecked"/> says an earlier load of this same file
        /// (a boot module: nothing writes it) found every relocation valid and none inside the
        /// relocation table, so the entries, copied from the same bytes, need no check again.
        /// <paramref name="relocationsSafe"/> says whether this load found that (for the next).
        /// </summary>
        public string LoadAt(byte* load, ulong loadSize, bool relocationsChecked, out bool relocationsSafe)
        {
            relocationsSafe = false;
            Span(out ulong lo, out ulong hi);
            // Segments in ascending, disjoint order (as the ELF specification asks) are laid with
            // their gaps zeroed; any other order zeroes the whole image first.
            if (!SegmentsAscending(lo)) Arch.Cpu.Zero(load, hi - lo);
            ulong done = 0;                     // load offset below which every byte is written
            ulong dynamicOff = 0, dynamicSize = 0;
            for (int i = 0; i < U16(56); i++)
            {
                ulong ph = U64(32) + (ulong)i * 56;
                uint type = U32(ph);
                if (type == PT_LOAD)
                {
                    ulong off = U64(ph + 8), va = U64(ph + 16), filesz = U64(ph + 32);
                    ulong at = va - lo;
                    if (at > done) Arch.Cpu.Zero(load + done, at - done);
                    Arch.Cpu.Copy(load + at, _file + off, filesz);
                    if (at + filesz > done) done = at + filesz;
                }
                else if (type == PT_DYNAMIC)
                {
                    dynamicOff = U64(ph + 8);
                    dynamicSize = U64(ph + 32);
                }
            }
            if (hi - lo > done) Arch.Cpu.Zero(load + done, hi - lo - done);
            if (dynamicOff == 0) { relocationsSafe = true; return null; }   // nothing to relocate
            if (!Fits(dynamicOff, dynamicSize)) return "dynamic section outside the file";

            ulong rela = 0, relaSize = 0, relaEnt = 24;
            for (ulong d = dynamicOff; d + 16 <= dynamicOff + dynamicSize; d += 16)
            {
                long tag = (long)U64(d);
                if (tag == DT_NULL) break;
                if (tag == DT_RELA) rela = U64(d + 8);
                else if (tag == DT_RELASZ) relaSize = U64(d + 8);
                else if (tag == DT_RELAENT) relaEnt = U64(d + 8);
            }
            if (relaSize == 0) { relocationsSafe = true; return null; }
            if (relaEnt != 24) return "unexpected relocation entry size";
            // DT_RELA is a virtual address; the table was loaded with its segment.
            if (rela < lo || rela + relaSize > hi) return "relocation table outside the image";
            if (relaSize % 24 != 0) return "the relocation table is not a whole number of entries";
            // One pass, each entry checked: its type, and its target (offset less lo, which wraps
            // to a huge value below lo) inside the image with room for 8 bytes.
            byte* table = load + (rela - lo);
            byte* tableEnd = table + relaSize;
            ulong last = hi - lo - 8;           // the highest load offset an 8-byte slot may start at
            ulong delta = (ulong)load - lo;
            if (relocationsChecked)
            {
                // Every entry was checked on an earlier load of the same bytes, and none writes
                // into the table, so each entry reads as it did then.
                for (byte* r = table; r < tableEnd; r += 24) *(ulong*)(load + (*(ulong*)r - lo)) = delta + *(ulong*)(r + 16);
                relocationsSafe = true;
                return null;
            }
            ulong tableAt = rela - lo;
            bool intoTable = false;
            for (byte* r = table; r < tableEnd; r += 24)
            {
                ulong at = *(ulong*)r - lo;
                if (*(uint*)(r + 8) != R_X86_64_RELATIVE) return "unsupported relocation type (only R_X86_64_RELATIVE is allowed)";
                if (at > last) return "a relocation points outside the image";
                if (at + 8 > tableAt && at < tableAt + relaSize) intoTable = true;
                *(ulong*)(load + at) = delta + *(ulong*)(r + 16);
            }
            relocationsSafe = !intoTable;
            return null;
        }

        // Whether the loadable segments come in ascending address order without overlapping.
        private bool SegmentsAscending(ulong lo)
        {
            ulong end = lo;
            for (int i = 0; i < U16(56); i++)
            {
                ulong ph = U64(32) + (ulong)i * 56;
                if (U32(ph) != PT_LOAD) continue;
                ulong va = U64(ph + 16), memsz = U64(ph + 40);
                if (va < end) return false;
                end = va + memsz;
            }
            return true;
        }

        /// <summary>The contents of the section named <paramref name="name"/>, or null; bounds-checked.</summary>
        public byte* FindSection(string name, out ulong length)
        {
            length = 0;
            ulong shoff = U64(40);
            ushort shentsize = U16(58), shnum = U16(60), shstrndx = U16(62);
            if (shoff == 0 || shentsize != 64 || shstrndx >= shnum || !Fits(shoff, (ulong)shnum * 64)) return null;
            ulong strSh = shoff + (ulong)shstrndx * 64;
            ulong strOff = U64(strSh + 24), strSize = U64(strSh + 32);
            if (!Fits(strOff, strSize)) return null;
            for (int i = 0; i < shnum; i++)
            {
                ulong sh = shoff + (ulong)i * 64;
                uint nameOff = U32(sh);
                if (nameOff >= strSize || !NameIs(strOff + nameOff, strOff + strSize, name)) continue;
                ulong off = U64(sh + 24), size = U64(sh + 32);
                if (!Fits(off, size)) return null;
                length = size;
                return _file + off;
            }
            return null;
        }

        private bool NameIs(ulong at, ulong end, string name)
        {
            int n = name.Length;
            if (at + (ulong)n >= end || _file[at] != name[0]) return false;   // most names differ at once
            for (int k = 1; k < n; k++) if (_file[at + (ulong)k] != name[k]) return false;
            return _file[at + (ulong)n] == 0;
        }

        /// <summary>Finds the function symbol containing <paramref name="vaddr"/> (image-relative) in .symtab.</summary>
        public byte* FindSymbol(ulong vaddr, out ulong offset)
        {
            offset = 0;
            ulong shoff = U64(40);
            ushort shentsize = U16(58), shnum = U16(60);
            if (shentsize != 64 || !Fits(shoff, (ulong)shnum * 64)) return null;
            for (int i = 0; i < shnum; i++)
            {
                ulong sh = shoff + (ulong)i * 64;
                if (U32(sh + 4) != SHT_SYMTAB) continue;
                ulong symOff = U64(sh + 24), symSize = U64(sh + 32);
                uint link = U32(sh + 40);
                if (link >= shnum || !Fits(symOff, symSize)) return null;
                ulong strSh = shoff + (ulong)link * 64;
                ulong strOff = U64(strSh + 24), strSize = U64(strSh + 32);
                if (!Fits(strOff, strSize)) return null;
                for (ulong s = symOff; s + 24 <= symOff + symSize; s += 24)
                {
                    uint name = U32(s);
                    ulong value = U64(s + 8), size = U64(s + 16);
                    if ((_file[s + 4] & 0xF) != 2 || name >= strSize) continue;   // STT_FUNC only
                    if (vaddr >= value && vaddr < value + (size == 0 ? 1 : size))
                    {
                        offset = vaddr - value;
                        return _file + strOff + name;
                    }
                }
            }
            return null;
        }
    }
}

using Singularity.Kernel.Arch;


namespace Singularity.Kernel.Diagnostics
{
    /// <summary>
    /// Names for code addresses: the table ksyms.sh builds from ilc's object at link time
    /// (the same names as ilc's map file, kernel.map.xml).
    /// </summary>
    internal static unsafe class Symbols
    {
        private struct Entry { public ulong Address; public ulong Length; public byte* Name; }

        /// <summary>The nearest symbol at or below <paramref name="address"/>, or null.</summary>
        public static byte* Lookup(ulong address, out ulong offset)
        {
            KernelLayout* layout = KernelLayout.Get();
            offset = 0;
            if (address < layout->TextStart || address >= layout->TextEnd) return null;
            Entry* table = (Entry*)layout->SymbolTable;
            ulong count = *layout->SymbolCount;
            for (ulong i = 0; i < count; i++)
            {
                if (address >= table[i].Address && address < table[i].Address + table[i].Length)
                {
                    offset = address - table[i].Address;
                    return table[i].Name;
                }
            }
            return null;
        }

        public static void WriteSymbol(ulong address)
        {
            byte* name = Lookup(address, out ulong offset);
            if (name == null) { Log.Write("??"); return; }
            Log.WriteAscii(name, 512);
            Log.Write("+"); Log.WriteHex(offset, 4);
        }
    }
}

using Internal.Runtime;

namespace System.Runtime.ExceptionHandling
{
    internal enum EhClauseKind { Typed = 0, Fault = 1, Filter = 2 }

    /// <summary>One protected region of a method and its handler (offsets from the method start).</summary>
    internal unsafe struct EhClause
    {
        public uint TryStart, TryEnd, HandlerOffset, FilterOffset;
        public EhClauseKind Kind;           // Fault covers finally too: both run while unwinding
        public MethodTable* CatchType;

        public bool Covers(ulong offset) => offset >= TryStart && offset < TryEnd;
    }

    /// <summary>
    /// A method's exception clauses, read from ilc's blob for the code range (.dotnet_eh_table):
    /// a flags byte, then for a method body optional associated data and a relative pointer to
    /// the clause table; for a funclet, the way back to its method's blob and start.
    /// </summary>
    /// <unsafe>Reads a method's EH clauses from the image's .dotnet_eh_table, at the LSDA its FDE names
    /// (image data); catch types are MethodTables of the image. At most the table's count of clauses
    /// is read.</unsafe>
    internal unsafe struct MethodEhInfo
    {
        private const byte FlagHandler = 0x01, FlagFilter = 0x02, FlagHasEhInfo = 0x04, FlagHasAssociatedData = 0x10;

        public ulong MethodStart;       // clause offsets are relative to this
        private byte* _clauses;         // the compressed table, or null when the method has none
        private uint _count;
        private byte* _next;
        private uint _read;

        public static MethodEhInfo For(in CodeInfo code)
        {
            MethodEhInfo m = default;
            m.MethodStart = code.PcBegin;
            byte* lsda = code.Lsda;
            if (lsda == null) return m;
            byte flags = lsda[0];
            if ((flags & (FlagHandler | FlagFilter)) != 0)
            {
                // A funclet: its blob points back to the method's, and gives its own offset.
                byte* p = lsda + 1;
                byte* main = EhEncoding.ReadRelPtr32(ref p);
                uint offsetInMethod = *(uint*)p;
                m.MethodStart = code.PcBegin - offsetInMethod;
                lsda = main;
                flags = lsda[0];
            }
            byte* q = lsda + 1;
            if ((flags & FlagHasAssociatedData) != 0) q += 4;
            if ((flags & FlagHasEhInfo) != 0)
            {
                byte* table = EhEncoding.ReadRelPtr32(ref q);
                m._count = EhEncoding.ReadCompressed(ref table);
                m._clauses = table;
            }
            m.Reset();
            return m;
        }

        public void Reset()
        {
            _next = _clauses;
            _read = 0;
        }

        /// <summary>The next clause, innermost first (the order ilc writes them).</summary>
        public bool Next(out EhClause clause)
        {
            clause = default;
            if (_clauses == null || _read >= _count) return false;
            byte* p = _next;
            clause.TryStart = EhEncoding.ReadCompressed(ref p);
            uint lengthAndKind = EhEncoding.ReadCompressed(ref p);
            clause.Kind = (EhClauseKind)(lengthAndKind & 3);
            clause.TryEnd = clause.TryStart + (lengthAndKind >> 2);
            clause.HandlerOffset = EhEncoding.ReadCompressed(ref p);
            if (clause.Kind == EhClauseKind.Typed) clause.CatchType = (MethodTable*)EhEncoding.ReadRelPtr32(ref p);
            else if (clause.Kind == EhClauseKind.Filter) clause.FilterOffset = EhEncoding.ReadCompressed(ref p);
            _next = p;
            _read++;
            return true;
        }
    }
}

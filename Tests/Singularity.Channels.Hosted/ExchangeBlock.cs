using System;

namespace Singularity.Channels
{
    /// <summary>
    /// The hosted stand-in for an exchange-heap block: a managed array plus an ownership
    /// generation. Each transfer bumps the generation, so every copy of the old ExBuffer or
    /// ExArray value stops working, like a block the kernel no longer lets a SIP touch.
    /// </summary>
    internal sealed class ExchangeBlock
    {
        public ExchangeBlock(Array data) { Data = data; Generation = 1; }

        public Array Data { get; }
        public int Generation { get; private set; }
        public bool Freed { get; private set; }

        public void Check(int generation, string what)
        {
            if (Freed) throw new ObjectDisposedException(what, what + " was freed");
            if (generation != Generation) throw new ObjectDisposedException(what, what + " was sent or taken elsewhere; this copy no longer owns it");
        }

        /// <summary>Ownership moves: old copies become invalid; the new owner gets the returned generation.</summary>
        public int Transfer(int generation, string what)
        {
            Check(generation, what);
            return ++Generation;
        }

        public int Adopt() => ++Generation;

        public void Free(int generation, string what)
        {
            Check(generation, what);
            Freed = true;
        }

        /// <summary>Frees a block nobody can own any more (a message that was never delivered).</summary>
        public void Drop() => Freed = true;
    }
}

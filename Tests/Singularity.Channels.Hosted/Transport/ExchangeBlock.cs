namespace Singularity.Ipc
{
    /// <summary>
    /// The hosted stand-in for an exchange-heap block: a byte array plus an ownership generation.
    /// A handle (ExBlock) is valid while its generation is the block's: every transfer (send,
    /// receive) bumps it, so every copy of an old handle stops working, as a block the kernel no
    /// longer lets a SIP touch. In flight (inside a queued message) no handle is valid.
    /// Ownership changes happen under Hub.Lock.
    /// </summary>
    internal sealed class ExchangeBlock
    {
        public ExchangeBlock(int length) { Data = new byte[length]; Generation = 1; }

        public byte[] Data { get; }
        public int Generation { get; private set; }
        public bool Freed { get; private set; }
        public bool InFlight { get; private set; }

        public bool IsOwnedBy(int generation) => !Freed && !InFlight && generation == Generation;

        /// <summary>The block enters a queued message; the sender's handles stop working.</summary>
        public int Leave() { InFlight = true; return ++Generation; }

        /// <summary>The block leaves a message for its receiver, who gets the returned generation.</summary>
        public int Arrive() { InFlight = false; return ++Generation; }

        public void Free() => Freed = true;
    }
}

using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Singularity.Kernel.Arch
{
    /// <summary>
    /// How the CPU enters the kernel from SIP code without running on the SIP's stack
    /// (Arch/x64/entry.asm, interrupts.asm): every ABI entry goes through a stub that switches to
    /// the running thread's kernel stack, and every interrupt arrives on an IST stack and moves to
    /// that kernel stack. This is the C# side: the per-CPU entry state the scheduler loads at each
    /// switch, the stubs wrapped around the ABI table, and the call that enters SIP code.
    /// </summary>
    internal static unsafe class KernelEntry
    {
        /// <summary>ABI entries the stubs can serve (ABI_STUBS in entry.asm).</summary>
        public const int AbiStubCapacity = 64;

        /// <summary>
        /// A thread's part of the entry state (Thread.EntryBlock): the entry code reads the running
        /// thread's through one pointer, so a switch stores that pointer instead of copying these.
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        public struct ThreadEntry
        {
            public ulong AbiSlot;           // the ABI slot, 0 when it runs no SIP code
            public ulong KernelStackLow;    // its kernel stack: lowest usable address
            public ulong KernelStackHigh;   //                   top
            // Its SIP's record (Thread.Owner as an address; 0 for a kernel thread), set once at
            // creation: the send and receive entries (channel_move.asm) pass it to the C# side,
            // which then loads neither the running thread nor its owner.
            public void* Sip;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct EntryState
        {
            public ThreadEntry* Running;    // the running thread's block (Boot's until the first switch)
            public ulong EntryStackLow;     // the IST stack interrupts land on
            public ulong EntryStackHigh;
            public ThreadEntry Boot;        // the boot stack's, before the scheduler runs
        }

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_entry_state_address")]
        private static extern EntryState* StateAddress();

        private static EntryState* s_state;

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "abi_stub_handlers_address")]
        private static extern ulong* StubHandlers();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "abi_stub_addresses_address")]
        private static extern ulong* StubAddresses();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "abi_own_stubs_address")]
        private static extern ulong* OwnStubs();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_call")]
        private static extern ulong SipCallStub(ulong entry, ulong arg0, ulong arg1, ulong sipStackTop, ulong* abiSlot);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "abi_yield_address")]
        private static extern ulong AbiYieldAddress();

        /// <summary>The ABI's Yield handler (Arch/x64/yield.asm: the scheduler's lean yield switch).</summary>
        public static delegate*<void> AbiYield => (delegate*<void>)AbiYieldAddress();

        /// <summary>Before interrupts are enabled: the boot stack is the running kernel stack.</summary>
        public static void Initialize(ulong bootStackLow, ulong bootStackHigh, ulong entryStackLow, ulong entryStackHigh)
        {
            EntryState* s = s_state = StateAddress();
            s->Boot.AbiSlot = 0;
            s->Boot.KernelStackLow = bootStackLow;
            s->Boot.KernelStackHigh = bootStackHigh;
            s->Running = &s->Boot;
            s->EntryStackLow = entryStackLow;
            s->EntryStackHigh = entryStackHigh;
        }

        /// <summary>
        /// Describes the thread about to run: its block (in its Thread, which never moves: the
        /// kernel heap is not collected). Interrupts must be disabled.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Load(ref ThreadEntry block) => s_state->Running = (ThreadEntry*)Unsafe.AsPointer(ref block);

        /// <summary>The running thread's kernel stack (for panic reports).</summary>
        public static void RunningKernelStack(out ulong low, out ulong high)
        {
            low = high = 0;
            if (s_state == null) return;            // a panic early in boot
            low = s_state->Running->KernelStackLow;
            high = s_state->Running->KernelStackHigh;
        }

        /// <summary>
        /// Puts a stub in front of each of the <paramref name="count"/> function pointers at
        /// <paramref name="entries"/> (the ABI table): the table then points at the stubs, which call
        /// the original handlers on the kernel stack. The hot entries that are their own stub
        /// (entry.asm's abi_own_stubs: Yield and the channel calls) stay as they are: a stub in
        /// front would record the kernel stack as the SIP's. Once, at boot.
        /// </summary>
        public static bool WrapAbiEntries(ulong* entries, int count)
        {
            if (count > AbiStubCapacity) return false;     // more entries than entry.asm has stubs: the caller panics
            ulong* handlers = StubHandlers();
            ulong* stubs = StubAddresses();
            for (int i = 0; i < count; i++)
            {
                handlers[i] = entries[i];
                if (!IsOwnStub(entries[i])) entries[i] = stubs[i];
            }
            return true;
        }

        private static bool IsOwnStub(ulong entry)
        {
            for (ulong* own = OwnStubs(); *own != 0; own++)
                if (*own == entry) return true;
            return false;
        }

        /// <summary>
        /// Runs SIP code: entry(arg0, arg1) on the SIP stack whose top is <paramref name="sipStackTop"/>,
        /// recording the thread's ABI slot in <paramref name="abiSlot"/> (cleared again when entry returns).
        /// </summary>
        public static ulong CallSip(ulong entry, ulong arg0, ulong arg1, ulong sipStackTop, ulong* abiSlot) =>
            SipCallStub(entry, arg0, arg1, sipStackTop, abiSlot);
    }
}

using System.Runtime.InteropServices;

namespace Singularity.Abi
{
    /// <summary>
    /// The kernel ABI table (docs/abi.md): the one interface between a SIP's trusted runtime and
    /// the kernel. This file is compiled into both, so they cannot disagree on its layout.
    /// A call is a plain indirect call: no trap, no mode or address-space switch; the entry's
    /// stub moves to the thread's kernel stack, so kernel code never runs on the SIP's stack.
    /// Entries are append-only; Version changes when a signature or a meaning does.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct KernelAbi
    {
        public const uint MagicValue = 0x49424153;   // "SABI"
        public const ushort CurrentVersion = 5;     // 2: GetStackRanges reports the total and kernel-held registers; 3: process control, names and console input need grants; 4: process control and console input moved to the /kernel/processes and /kernel/console-input endpoints (34-38 refuse); 5: devices and driver I/O (46-51)
        /// <summary>What the retired SipStart, SipWait, SipKill and SipList return to every SIP (process control is the /kernel/processes endpoint, docs/security.md).</summary>
        public const int NotPermitted = -4;

        public uint Magic;
        public ushort Version;
        public ushort FunctionCount;
        public delegate*<byte*, int, void> DebugWrite;                 // 0
        public delegate*<int, void> ExitProcess;                       // 1
        public delegate*<byte*, int, ulong, void> FailProcess;         // 2 (message, length, rip)
        public delegate*<ulong, ulong> AllocatePages;                  // 3
        public delegate*<ulong, ulong, int> FreePages;                 // 4
        public delegate*<void> Yield;                                  // 5
        public delegate*<ulong, void> Sleep;                           // 6 (ns)
        public delegate*<ulong> MonotonicNs;                           // 7
        public delegate*<ulong, ulong, int> CreateThread;              // 8 (entry, argument) -> handle, -1, or SipLimits.ThreadLimitReached
        public delegate*<int, void> ExitThread;                        // 9
        public delegate*<int, ulong, int> Wait;                        // 10 (handle, timeout ns; 0 = forever)
        public delegate*<int, int, int> CreateEvent;                   // 11 (manualReset, signaled) -> handle
        public delegate*<int, int> SetEvent;                           // 12
        public delegate*<int, int> ResetEvent;                         // 13
        public delegate*<int> CreateMutex;                             // 14
        public delegate*<int, int> ReleaseMutex;                       // 15
        public delegate*<int, int> CloseHandle;                        // 16
        public delegate*<void> BeginCollection;                        // 17
        public delegate*<ulong*, int, int> GetStackRanges;             // 18 (pairs, max) -> ranges in all, may exceed max
        public delegate*<void> EndCollection;                          // 19
        public delegate*<int> CurrentThreadId;                         // 20
        public delegate*<ulong> HeapBytes;                             // 21
        public delegate*<int, int, int> SetThreadPriority;             // 22 (thread handle or 0 = caller, priority)
        public delegate*<ulong, ulong> ExAllocate;                     // 23 (length) -> block handle, 0 on failure
        public delegate*<ulong, int> ExFree;                           // 24
        public delegate*<ulong, ulong*, ulong> ExAccess;               // 25 (handle, out length) -> 1 if the caller's, else 0
        public delegate*<int*, int*, int> ChannelCreate;               // 26 (out imp, out exp)
        public delegate*<int, ChannelMessage*, ulong, int> ChannelSend;    // 27 (endpoint, message, timeout ns)
        public delegate*<int, ChannelMessage*, ulong, int> ChannelReceive; // 28
        public delegate*<int*, int, ulong, int> ChannelSelect;         // 29 (endpoints, count, timeout) -> index
        public delegate*<int, int> ChannelClose;                       // 30
        public delegate*<byte*, int, int, int> NameRegister;           // 31 (name, length, listener endpoint)
        public delegate*<byte*, int, int*, int> NameBind;              // 32 (name, length, out endpoint)
        public delegate*<ulong> ExchangeBytes;                         // 33 bytes of exchange heap the caller owns
        public delegate*<byte*, int, byte*, int, int> SipStart;        // 34 retired: NotPermitted (ProcessManagerContract.Start)
        public delegate*<int, ulong, int*, int> SipWait;               // 35 retired: NotPermitted (ProcessManagerContract.Wait)
        public delegate*<int, int> SipKill;                            // 36 retired: NotPermitted (ProcessManagerContract.Kill)
        public delegate*<byte*, int, ulong, int> ConsoleRead;          // 37 retired: -1 (ConsoleInputContract on /kernel/console-input)
        public delegate*<SipInfo*, int, int> SipList;                  // 38 retired: NotPermitted (ProcessManagerContract.List)
        public delegate*<MemoryInfo*, void> GetMemoryInfo;             // 39
        public delegate*<byte*, int, ulong*, int, void> FailProcessWithTrace; // 40 (message, length, return addresses, count)
        public delegate*<ulong, void> SetFaultEntry;                   // 41 where a null dereference or #DE in SIP code continues
        public delegate*<byte*, int, int> TakeStartupEndpoint;         // 42 (path) -> endpoint handle wired from the manifest, or -1
        public delegate*<ExchangeHeader**> ExchangeHeaders;          // 43 the fixed directory of exchange-block headers (read by the runtime; Abi/ExchangeHeader.cs)
        public delegate*<int, ChannelMessage*, ChannelMessage*, ulong, int> ChannelCall;    // 44 (endpoint, request in, reply out (Ok only; may be the request), timeout ns): send, then receive on the same endpoint
        public delegate*<int*, int, ChannelMessage*, int*, ulong, int> ChannelReceiveAny; // 45 (endpoints, count, message out, index out, timeout ns): select and receive in one entry
        public delegate*<DeviceInfo*, int, int> DeviceList;            // 46 (buffer, max records) -> PCI functions in all (may exceed max)
        public delegate*<int, int, ulong*, int> IoRange;               // 47 (kind 0 ports / 1 memory / 2 interrupt line (base = the line), index, out base and length) -> 0, or -1 when the caller holds no such range
        public delegate*<int, ulong, int, ulong> PortRead;             // 48 (port range, offset, width 1/2/4) -> value; outside the grant fails the caller
        public delegate*<int, ulong, int, ulong, void> PortWrite;      // 49 (port range, offset, width, value)
        public delegate*<int, ulong, int, ulong> MemoryRead;           // 50 (memory range, offset, width 1/2/4/8, aligned) -> value
        public delegate*<int, ulong, int, ulong, void> MemoryWrite;    // 51 (memory range, offset, width, value)
        public delegate*<ulong, ulong*, ulong> DmaAllocate;            // 52 (length 1..4 MiB, out device address) -> exchange block handle, or 0; only a driver holding a PCI device
        public delegate*<ulong, ulong> DmaAddress;                     // 53 (block handle) -> the device address of a DMA block the caller owns, or 0
        public delegate*<int, ulong, int> InterruptWait;               // 54 (interrupt index, timeout ns; 0 = for ever) -> 1 interrupt, 0 timeout, -1 another thread waits; not granted fails the caller
        public delegate*<int, void> InterruptAck;                      // 55 (interrupt index): serviced, the line is unmasked; not granted fails the caller
        public delegate*<long, ChannelMessage*, ChannelMessage*, int*, int*, ulong, int> ChannelReplyAndReceive; // 56 (reply endpoint or 0 | endpoints' count << 32, reply in, received out (may be the reply), endpoints, results out [index, reply status], timeout ns): send the reply, then ChannelReceiveAny, in one entry
        public const int Count = 57;
    }

    /// <summary>What a SIP's entry point receives besides the ABI table.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct SipStartInfo
    {
        public int SipId;
        public int ExchangeTag;         // names this SIP as a block's owner in exchange-block headers (Abi/ExchangeHeader.cs)
        public ulong ImageBase;
        public ulong ImageSize;
        public ulong HeapQuota;
        public byte* Name;              // NUL-terminated ASCII
        public byte* Arguments;         // NUL-terminated ASCII: the module's command line after its name
    }
}

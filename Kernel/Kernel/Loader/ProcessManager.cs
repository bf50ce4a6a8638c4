using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Ipc;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Loader
{
    /// <summary>
    /// The kernel's process manager: ProcessManagerContract (Contracts/System; layout in
    /// Kernel/Abi/ProcessManagerWire.cs) served on `/kernel/processes` endpoints. Process control
    /// is no global call: a SIP whose module the system manifest grants `processes` receives an
    /// endpoint at start (<see cref="GrantTo"/>), and holding it is the authority (docs/security.md).
    ///
    /// Each endpoint acts for its principal, the SIP it was granted to, whoever holds it now: a
    /// forwarded endpoint delegates the principal's authority, SIPs started through it are the
    /// principal's children (charged to its grant, ending with it), and it lists, waits for and
    /// kills what the principal may control (its children; every SIP with `processes all`; never the
    /// principal, the holder or the holder's ancestors). Once the
    /// principal has ended the endpoint refuses everything.
    ///
    /// Requests are served on the sending thread inside its send (KernelServer), every field checked
    /// first; the kernel never waits on a SIP. A Wait blocks only the thread that asked, for at most
    /// its timeout. A message outside the contract (unknown tag, wrong handles) or a request whose
    /// reply would not fit the sender's queue closes the kernel's end: that channel fails alone.
    /// </summary>
    internal sealed unsafe class ProcessManager : KernelServer
    {
        private static ProcessManager s_server;

        /// <summary>Made once at boot, before any SIP starts.</summary>
        public static void Initialize() => s_server = new ProcessManager();

        /// <summary>A new process-manager channel for <paramref name="sip"/> (KernelServer.Grant); -1 if its handle table is full. Interrupts off.</summary>
        public static int GrantTo(Sip sip) => s_server.Grant(sip);

        public override int Serve(Sip sender, Endpoint kernelEnd, ChannelMessage* m)
        {
            Endpoint reply = kernelEnd.Peer;
            if (!Accepts(m) || !reply.HasRoom) return Violation(kernelEnd);
            Sip principal = SipTable.Find(kernelEnd.Principal);
            if (principal != null && (!principal.IsAlive || !Grants.Has(principal, Grants.Processes))) principal = null;

            var r = stackalloc ChannelMessage[1];
            *r = default;
            byte* data = (byte*)m->Data;
            byte* rdata = (byte*)r->Data;
            switch (m->Tag)
            {
                case ProcessManagerWire.StartTag:
                    r->Tag = ProcessManagerWire.StartedTag;
                    *(int*)rdata = Start(sender, principal, *(int*)data, m->Handles[0]);
                    break;
                case ProcessManagerWire.WaitTag:
                {
                    r->Tag = ProcessManagerWire.WaitedTag;
                    int code = 0;
                    *(int*)rdata = Wait(principal, *(int*)data, *(ulong*)(data + 4), &code);
                    *(int*)(rdata + 4) = code;
                    // The wait blocked: the channel or the sender may have gone meanwhile.
                    if (!sender.IsAlive || kernelEnd.Closed) return ChannelStatus.Closed;
                    if (!reply.HasRoom) return Violation(kernelEnd);
                    break;
                }
                case ProcessManagerWire.KillTag:
                    r->Tag = ProcessManagerWire.KilledTag;
                    *(int*)rdata = Kill(sender, principal, *(int*)data);
                    break;
                default:        // ListTag (Accepts let nothing else through)
                {
                    ulong h = m->Handles[0];
                    r->Tag = ProcessManagerWire.ListedTag;
                    *(int*)rdata = List(sender, principal, h);
                    // The buffer goes back with the reply, as any block a message carries.
                    ExchangeHeap.Transfer(h, sender.Id, sender, ExchangeHeap.InFlight, null);
                    r->HandleCount = 1;
                    r->Handles[0] = h;
                    break;
                }
            }
            Reply(kernelEnd, r);
            return ChannelStatus.Ok;
        }

        // The tag is a request and the handles are what the contract says (ChannelCalls checked each is the sender's).
        private static bool Accepts(ChannelMessage* m)
        {
            int blocks = m->Tag == ProcessManagerWire.StartTag || m->Tag == ProcessManagerWire.ListTag ? 1
                : m->Tag == ProcessManagerWire.WaitTag || m->Tag == ProcessManagerWire.KillTag ? 0 : -1;
            if (blocks < 0 || m->HandleCount != blocks) return false;
            return blocks == 0 || (m->Handles[0] & ChannelMessage.KindMask) == ChannelMessage.KindBlock;
        }

        // Starts another instance of a boot module as the principal's child. The buffer is consumed
        // (freed) whatever the answer; its first moduleLength bytes name the module, the rest are the arguments.
        private static int Start(Sip sender, Sip principal, int moduleLength, ulong block)
        {
            byte* text = ExchangeHeap.Access(sender.Id, block, out ulong length);
            int result = StartFrom(sender, principal, text, length, moduleLength);
            ExchangeHeap.Free(block, sender.Id, sender);
            return result;
        }

        private static int StartFrom(Sip sender, Sip principal, byte* text, ulong length, int moduleLength)
        {
            if (principal == null) return ProcessManagerWire.NotPermitted;
            if (text == null || moduleLength <= 0 || moduleLength > SipLimits.ModuleNameMaxBytes || (ulong)moduleLength > length
                || length - (ulong)moduleLength > SipLimits.ArgumentsMaxBytes) return ProcessManagerWire.BadRequest;
            int argsLength = (int)(length - (ulong)moduleLength);
            string n = string.FromAscii(text, moduleLength);
            if (!BootModules.Find(n, out byte* image, out ulong size))
            {
                Allocator.Free(n);
                return ProcessManagerWire.NoSuchModule;
            }
            // The image copy and the main thread's stack must not come out of the kernel's reserve.
            if (!KernelReserve.AllowsSipGrant(size + Thread.StackBytesPerSipThread + SipLimits.SipStartKernelBytes))
            {
                Allocator.Free(n);
                return ProcessManagerWire.CannotStart;
            }
            string a = string.FromAscii(text + moduleLength, argsLength);
            // Interrupts are off (a channel call) from here to the log line: the principal cannot be
            // killed half-way (its children end with it, and one still being made would be missed),
            // and the child cannot run, end and be freed before it is named. The child runs on the
            // principal's grant and CPU share: no SIP hands out more than it holds.
            Sip sip = SipLoader.Start(n, a, image, size, principal.Account.Quota, principal.Share.Grant, principal, out string error);
            if (a.Length != 0) Allocator.Free(a);       // the SIP has its own copy ("" is static)
            ulong whole = Log.BeginLine();
            if (sip == null) { Log.Write("sip "); Log.Write(n); Log.Write(" not started: "); Log.WriteLine(error); }
            else
            {
                Log.Write("sip "); Log.Write(n); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id); Log.Write(" started by ");
                Log.Write(principal.Name); Log.Write("#"); Log.WriteDecimal((ulong)principal.Id);
                if (sender != principal) { Log.Write(" through "); Log.Write(sender.Name); Log.Write("#"); Log.WriteDecimal((ulong)sender.Id); }
                Log.WriteLine();
            }
            Log.EndLine(whole);
            Allocator.Free(n);
            return sip == null ? ProcessManagerWire.CannotStart : sip.Id;
        }

        private static int Wait(Sip principal, int id, ulong timeoutNs, int* exitCode)
        {
            if (principal == null) return ProcessManagerWire.NotPermitted;
            // The record of an ended SIP is freed once nothing names it (Waiters keeps it while this
            // call blocks); after that its status is in SipExitLog.
            Sip sip = SipTable.Find(id);
            if (sip != null)
            {
                if (!Grants.MayControl(principal, sip)) return ProcessManagerWire.NotPermitted;
                sip.Waiters++;
                if (sip.IsAlive) Scheduler.Block(sip.ExitWaiters, timeoutNs);
                int result = sip.IsAlive ? ProcessManagerWire.StillRunning : sip.State == SipState.Exited ? ProcessManagerWire.Exited : ProcessManagerWire.Failed;
                if (result != ProcessManagerWire.StillRunning) *exitCode = sip.ExitCode;
                sip.Waiters--;
                sip.TryFreeRecord();
                return result;
            }
            // Its record is gone: what it ended with, for the SIP that started it (or `processes all`).
            int k = SipExitLog.Find(id);
            if (k < 0) return ProcessManagerWire.BadRequest;
            if (!Grants.MayControl(principal, SipExitLog.ParentAt(k))) return ProcessManagerWire.NotPermitted;
            *exitCode = SipExitLog.ExitCodeAt(k);
            return SipExitLog.StateAt(k) == SipState.Exited ? ProcessManagerWire.Exited : ProcessManagerWire.Failed;
        }

        private static int Kill(Sip sender, Sip principal, int id)
        {
            if (principal == null) return ProcessManagerWire.NotPermitted;
            Sip sip = SipTable.Find(id);
            if (sip == null || !sip.IsAlive) return ProcessManagerWire.BadRequest;
            // Neither the principal nor the sender, nor (through a forwarded endpoint) an ancestor of
            // the sender: its end would end the sender's SIP in the middle of this call.
            if (sip == principal) return ProcessManagerWire.Itself;
            for (Sip s = sender; s != null; s = s.Parent) if (s == sip) return ProcessManagerWire.Itself;
            if (!Grants.MayControl(principal, sip)) return ProcessManagerWire.NotPermitted;
            char* text = stackalloc char[96];
            int n = 0;
            Text.Append(text, 96, ref n, "killed by ");
            Text.Append(text, 96, ref n, sender.Name);
            Text.Append(text, 96, ref n, "#");
            Text.Append(text, 96, ref n, (ulong)sender.Id);
            string reason = string.FromChars(text, n);
            sip.Fail(reason, 0);
            Allocator.Free(reason);
            return 0;
        }

        // Fills the sender's buffer with the principal and the SIPs it may control; returns how many.
        private static int List(Sip sender, Sip principal, ulong block)
        {
            if (principal == null) return 0;
            byte* buffer = ExchangeHeap.Access(sender.Id, block, out ulong length);
            if (buffer == null) return 0;
            ulong max = length / (ulong)sizeof(SipInfo);
            int n = 0;
            for (Sip s = SipTable.First; s != null && (ulong)n < max; s = s.Next)
            {
                if (!s.Started) continue;
                if (s != principal && !Grants.MayControl(principal, s)) continue;
                SipInfo* i = (SipInfo*)buffer + n;
                i->Id = s.Id;
                i->State = s.State == SipState.Running ? 0 : s.State == SipState.Exited ? 1 : 2;
                i->Threads = s.LiveThreads;
                i->ExitCode = s.ExitCode;
                i->HeapBytes = s.HeapBytes;
                i->HeapQuota = s.HeapQuota;
                i->ExchangeBytes = s.ExchangeBytes;
                int k = 0;
                for (; k < s.Name.Length && k < SipInfo.NameLength - 1; k++) i->Name[k] = (byte)s.Name[k];
                i->Name[k] = 0;
                n++;
            }
            return n;
        }
    }
}

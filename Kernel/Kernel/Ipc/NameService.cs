using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Ipc
{
    /// <summary>
    /// Names for services (`/service/console`). A service registers a name with the client end
    /// of a listener channel and keeps the other end; a client that binds the name gets a new
    /// channel, whose server end the kernel sends to the service over the listener as a
    /// Connect message of NameServiceContract (layout in Kernel/Abi/NameServiceWire.cs). When a service dies its listener closes,
    /// binds fail until a restarted instance registers the name again, and clients rebind.
    ///
    /// Authority (docs/security.md): a SIP registers only a name the system manifest grants to
    /// its module (`grant MODULE name=PATH`, Grants), at most <see cref="MaxNamesPerSip"/> at
    /// once, and every name it holds is released when it dies. So no SIP can squat a service's
    /// name (before the service registers it, or after killing it) or fill the table. A name's
    /// string is charged to the SIP that registered it (Charge.Names) until the name goes.
    /// </summary>
    internal static unsafe class NameService
    {
        public const int ConnectTag = NameServiceWire.ConnectTag;   // Contracts/System/NameServiceContract: Connect(EndpointHandle)
        public const int NotFound = -7;
        public const int NameTaken = -6;
        public const int NotGranted = -8;
        /// <summary>How many names one SIP may hold at once (as many as a manifest may export).</summary>
        public const int MaxNamesPerSip = 8;
        private const int MaxNames = 64;

        private static string[] s_names;
        private static Endpoint[] s_listeners;
        private static Sip[] s_holders;             // the SIP that registered each name
        private static SipAccount[] s_charged;      // whose account pays for each name's string (Charge.Names)
        private static ulong[] s_charges;           // and how much

        public static void Initialize()
        {
            s_names = new string[MaxNames];
            s_listeners = new Endpoint[MaxNames];
            s_holders = new Sip[MaxNames];
            s_charged = new SipAccount[MaxNames];
            s_charges = new ulong[MaxNames];
        }

        /// <summary>
        /// Registers the name (ASCII, from the SIP's memory) for the listener endpoint. The kernel
        /// keeps a string of the name only once it is registered; lookups allocate nothing.
        /// </summary>
        public static int Register(Sip sip, byte* name, int length, int listenerHandle)
        {
            if (!IsPath(name, length)) return ChannelStatus.BadMessage;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result;
            Endpoint e = sip.GetHandle(listenerHandle) as Endpoint;
            if (e == null || e.Owner != sip || e.Closed) result = ChannelStatus.BadHandle;
            else if (!Grants.AllowsName(sip, name, length)) result = NotGranted;
            else
            {
                int slot = Find(name, length);
                if (slot >= 0 && !s_listeners[slot].PeerGone && s_holders[slot] != null && s_holders[slot].IsAlive) result = NameTaken;
                else if ((slot < 0 || s_holders[slot] != sip) && HeldBy(sip) >= MaxNamesPerSip) result = ChannelStatus.OutOfMemory;
                // The name's string is charged to the SIP that registers it (docs/accounting.md).
                else if (slot < 0 && !sip.Account.Fits(Charge.Names, NameBytesBound(length))) result = ChannelStatus.OutOfMemory;
                else
                {
                    if (slot >= 0) s_listeners[slot].Close();     // a dead service's stale listener
                    else slot = FreeSlot();
                    if (slot < 0) result = ChannelStatus.OutOfMemory;
                    else
                    {
                        sip.TakeHandle(listenerHandle);
                        e.Owner = null;                           // the kernel holds it now
                        if (s_names[slot] == null)
                        {
                            ulong mark = KernelHeap.BytesInUse;
                            s_names[slot] = string.FromAscii(name, length);
                            s_charges[slot] = KernelHeap.BytesInUse - mark;
                        }
                        else s_charged[slot].Release(Charge.Names, s_charges[slot]);   // a dead service's name, now this SIP's
                        sip.Account.Force(Charge.Names, s_charges[slot]);
                        s_charged[slot] = sip.Account;
                        s_listeners[slot] = e;
                        s_holders[slot] = sip;
                        result = ChannelStatus.Ok;
                    }
                }
            }
            Restore(flags);
            return result;
        }

        /// <summary>A SIP's refused binds the log names one by one; after them one line says the rest go unlogged.</summary>
        public const int LoggedBindRefusals = 16;

        // Logs a refused bind with what the SIP lacks; only its first LoggedBindRefusals, so a SIP
        // that retries in a loop costs the log one line more, not a line per try.
        private static void LogRefusal(Sip sip, byte* name, int length, string lacks)
        {
            if (sip.BindRefusalsLogged > LoggedBindRefusals) return;
            sip.BindRefusalsLogged++;
            Log.Write("names: "); Log.Write(sip.Name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id);
            if (sip.BindRefusalsLogged > LoggedBindRefusals)
            {
                Log.WriteLine(": further refused binds are not logged");
                return;
            }
            Log.Write(" may not bind "); Log.WriteAscii(name, length);
            Log.Write(": the system manifest does not grant its module "); Log.Write(lacks);
            if (lacks == Grants.BindRight) Log.WriteAscii(name, length);
            Log.WriteLine();
        }

        /// <summary>Connects the caller to the named service; returns its end of a new channel in <paramref name="handle"/>.</summary>
        public static int Bind(Sip sip, byte* name, int length, int* handle)
        {
            if (!IsPath(name, length)) return ChannelStatus.BadMessage;
            // A guarded name (Grants.MayBind: the keyboard's lines, keys, the serial line) is refused
            // to the SIPs not granted it, whether or not its service runs; the log says what the SIP lacks.
            string lacks = Grants.MayBind(sip, name, length);
            if (lacks != null)
            {
                LogRefusal(sip, name, length, lacks);
                return NotGranted;
            }
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result;
            int slot = Find(name, length);
            if (slot < 0 || s_listeners[slot].PeerGone || s_holders[slot] == null || !s_holders[slot].IsAlive) result = NotFound;
            else if (!s_listeners[slot].Peer.HasRoom) result = ChannelStatus.TimedOut;
            else
            {
                Endpoint.CreatePair(sip, out Endpoint client, out Endpoint server);
                int h = sip.AddHandle(client);
                if (h < 0)
                {
                    // The handle table is full: the new channel goes away again, whole.
                    client.Close();
                    server.Close();
                    result = ChannelStatus.OutOfMemory;
                }
                else
                {
                    server.Owner = null;
                    var m = stackalloc ChannelMessage[1];
                    m->Tag = ConnectTag;
                    m->HandleCount = 1;
                    m->Handles[0] = ChannelMessage.KindEndpoint;
                    var carried = ThreadChannels.Of(Threading.Scheduler.Current).Carried;
                    for (int i = 0; i < ChannelMessage.MaxHandles; i++) carried[i] = null;
                    carried[0] = server;
                    s_listeners[slot].Peer.TryEnqueue(m, carried);
                    *handle = h;
                    result = ChannelStatus.Ok;
                }
            }
            Restore(flags);
            return result;
        }

        /// <summary>Register and Bind for kernel callers (start-up wiring) that hold the name as a string.</summary>
        public static int Register(Sip sip, string name, int listenerHandle)
        {
            byte* buf = stackalloc byte[MaxNameLength];
            int n = Ascii(name, buf);
            return n < 0 ? ChannelStatus.BadMessage : Register(sip, buf, n, listenerHandle);
        }

        public static int Bind(Sip sip, string name, int* handle)
        {
            byte* buf = stackalloc byte[MaxNameLength];
            int n = Ascii(name, buf);
            return n < 0 ? ChannelStatus.BadMessage : Bind(sip, buf, n, handle);
        }

        public const int MaxNameLength = SipLimits.NameMaxBytes;

        // A name is 1 to 128 printable ASCII characters beginning with '/'.
        private static bool IsPath(byte* name, int length)
        {
            if (length <= 0 || length > MaxNameLength || name[0] != '/') return false;
            for (int i = 0; i < length; i++) if (name[i] < 32 || name[i] > 126) return false;
            return true;
        }

        private static int Ascii(string s, byte* buf)
        {
            if (s.Length == 0 || s.Length > MaxNameLength) return -1;
            for (int i = 0; i < s.Length; i++) buf[i] = s[i] < 128 ? (byte)s[i] : (byte)'?';
            return s.Length;
        }

        private static int Find(byte* name, int length)
        {
            for (int i = 0; i < MaxNames; i++)
            {
                string n = s_names[i];
                if (n == null || n.Length != length) continue;
                int k = 0;
                while (k < length && n[k] == (char)name[k]) k++;
                if (k == length) return i;
            }
            return -1;
        }

        /// <summary>
        /// Drops every name whose service is gone (its end of the listener closed, or the SIP that
        /// registered it died): binds to it fail either way, and the slot and the listener's memory
        /// come back. The kernel calls it whenever a SIP ends, so a dead SIP holds no name.
        /// </summary>
        /// <summary>A SIP ends (SipEndStep.Ending): its names go while its record surely exists.</summary>
        public static void OnSipEnding(Sip sip) => ForgetDeadServices();

        public static void ForgetDeadServices()
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            for (int i = 0; i < MaxNames; i++)
            {
                if (s_names[i] == null || (!s_listeners[i].PeerGone && s_holders[i] != null && s_holders[i].IsAlive)) continue;
                s_listeners[i].Close();
                s_listeners[i] = null;
                s_holders[i] = null;
                Allocator.Free(s_names[i]);
                s_names[i] = null;
                s_charged[i].Release(Charge.Names, s_charges[i]);
                s_charged[i] = null;
                s_charges[i] = 0;
            }
            Restore(flags);
        }

        // What a name's string may take in the kernel heap: checked against the SIP's grant before it is made.
        private static ulong NameBytesBound(int length) => (ulong)length * 2 + 64;

        private static int HeldBy(Sip sip)
        {
            int n = 0;
            for (int i = 0; i < MaxNames; i++) if (s_names[i] != null && s_holders[i] == sip) n++;
            return n;
        }

        private static int FreeSlot()
        {
            for (int i = 0; i < MaxNames; i++) if (s_names[i] == null) return i;
            return -1;
        }

        private static void Restore(ulong flags)
        {
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }
    }
}

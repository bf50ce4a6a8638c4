using Singularity.Abi;
using Singularity.Kernel.Arch;

namespace Singularity.Kernel.Channels
{
    /// <summary>
    /// Names for services (`/service/console`). A service registers a name with the client end
    /// of a listener channel and keeps the other end; a client that binds the name gets a new
    /// channel, whose server end the kernel sends to the service over the listener as a
    /// Connect message (tag <see cref="ConnectTag"/>). When a service dies its listener closes,
    /// binds fail until a restarted instance registers the name again, and clients rebind.
    /// </summary>
    internal static unsafe class NameService
    {
        public const int ConnectTag = -1;
        public const int NotFound = -7;
        public const int NameTaken = -6;
        private const int MaxNames = 64;

        private static string[] s_names;
        private static Endpoint[] s_listeners;

        public static void Initialize()
        {
            s_names = new string[MaxNames];
            s_listeners = new Endpoint[MaxNames];
        }

        public static int Register(Sip sip, string name, int listenerHandle)
        {
            if (name.Length == 0 || name[0] != '/') return ChannelStatus.BadMessage;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result;
            Endpoint e = sip.GetHandle(listenerHandle) as Endpoint;
            if (e == null || e.Owner != sip || e.Closed) result = ChannelStatus.BadHandle;
            else
            {
                int slot = Find(name);
                if (slot >= 0 && !s_listeners[slot].PeerGone) result = NameTaken;
                else
                {
                    if (slot >= 0) s_listeners[slot].Close();     // a dead service's stale listener
                    else slot = FreeSlot();
                    if (slot < 0) result = ChannelStatus.OutOfMemory;
                    else
                    {
                        sip.TakeHandle(listenerHandle);
                        e.Owner = null;                           // the kernel holds it now
                        s_names[slot] = name;
                        s_listeners[slot] = e;
                        result = ChannelStatus.Ok;
                    }
                }
            }
            Restore(flags);
            return result;
        }

        /// <summary>Connects the caller to the named service; returns its end of a new channel in <paramref name="handle"/>.</summary>
        public static int Bind(Sip sip, string name, int* handle)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result;
            int slot = Find(name);
            if (slot < 0 || s_listeners[slot].PeerGone) result = NotFound;
            else if (!s_listeners[slot].Peer.HasRoom) result = ChannelStatus.TimedOut;
            else
            {
                Endpoint.CreatePair(sip, out Endpoint client, out Endpoint server);
                int h = sip.AddHandle(client);
                if (h < 0) result = ChannelStatus.OutOfMemory;
                else
                {
                    server.Owner = null;
                    var m = stackalloc ChannelMessage[1];
                    m->Tag = ConnectTag;
                    m->HandleCount = 1;
                    m->Handles[0] = ChannelMessage.KindEndpoint;
                    var carried = Threading.Scheduler.Current.CarriedEndpoints;
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

        private static int Find(string name)
        {
            for (int i = 0; i < MaxNames; i++) if (s_names[i] != null && s_names[i] == name) return i;
            return -1;
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

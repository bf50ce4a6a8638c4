using Singularity.Ipc;
using System.Collections.Generic;
using System.Threading;

namespace Singularity.Channels
{
    /// <summary>
    /// Hosted stand-in for the kernel's name service and a service's listener: names live in a
    /// process-wide table; binding a name makes a new channel whose exporting end waits in the
    /// listener's queue until Accept. A name is free again once its listener is closed. There
    /// are no kernel manifests here: TryOpen finds the listeners a host made for the running SIP
    /// (HostedStartup, from its [Exports] through Singularity.Hosted.HostedSip), else nothing.
    /// </summary>
    public sealed class ServiceListener
    {
        private static readonly Dictionary<string, ServiceListener> s_names = new Dictionary<string, ServiceListener>();

        private readonly string _name;
        private readonly Queue<RawEndpoint> _pending = new Queue<RawEndpoint>();
        private bool _closed;

        private ServiceListener(string name) { _name = name; }

        public static bool TryOpen(string path, out ServiceListener? listener) => HostedStartup.TryTake(path, out listener);

        public static bool TryRegister(string name, out ServiceListener? listener)
        {
            CheckName(name);
            lock (Hub.Lock)
            {
                if (s_names.ContainsKey(name)) { listener = null; return false; }
                listener = new ServiceListener(name);
                s_names.Add(name, listener);
                return true;
            }
        }

        internal static bool TryBind(string name, out EndpointHandle handle)
        {
            CheckName(name);
            lock (Hub.Lock)
            {
                if (!s_names.TryGetValue(name, out ServiceListener? listener) || listener._closed) { handle = default; return false; }
                RawEndpoint.CreateChannel(out RawEndpoint client, out RawEndpoint server);
                listener._pending.Enqueue(server);
                Hub.Changed();
                handle = new EndpointHandle(client);
                return true;
            }
        }

        public ReceiveResult Accept(out EndpointHandle connection, int timeoutMs = -1)
        {
            long deadline = Hub.Deadline(timeoutMs);
            lock (Hub.Lock)
            {
                while (true)
                {
                    if (_pending.Count > 0)
                    {
                        connection = new EndpointHandle(_pending.Dequeue());
                        return ReceiveResult.Message;
                    }
                    if (_closed) { connection = default; return ReceiveResult.ChannelClosed; }
                    if (timeoutMs == 0 || !Hub.Wait(deadline)) { connection = default; return ReceiveResult.TimedOut; }
                }
            }
        }

        public void Close()
        {
            lock (Hub.Lock)
            {
                if (_closed) return;
                _closed = true;
                if (s_names.TryGetValue(_name, out ServiceListener? l) && l == this) s_names.Remove(_name);
                while (_pending.Count > 0) _pending.Dequeue().Close();
                Hub.Changed();
            }
        }

        private static void CheckName(string name)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 128) throw new System.ArgumentException("a name is 1 to 128 ASCII characters");
        }
    }
}

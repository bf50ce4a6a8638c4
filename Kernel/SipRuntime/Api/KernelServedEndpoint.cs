using Singularity.Ipc;

namespace Singularity
{
    /// <summary>
    /// A SIP's end of a channel the kernel serves (/kernel/processes, /kernel/console-input): taken
    /// from the start-up endpoints on first use, and used by one request at a time (a mutex made
    /// once). A struct kept in a static field of its user, so nothing needs a static constructor.
    /// </summary>
    internal struct KernelServedEndpoint
    {
        /// <summary>The endpoint once taken (or adopted); default when there is none or its channel failed. Under the gate.</summary>
        public RawEndpoint Endpoint;
        private int _looked;            // the start-up endpoint was asked for (under the gate)
        private int _gateLock;          // guards making the gate once
        private Threading.Mutex _gate;  // one request at a time

        /// <summary>The endpoint, taken from the start-up endpoints under <paramref name="path"/> on first use. Under the gate.</summary>
        public bool TryGet(string path, out RawEndpoint e)
        {
            if (_looked == 0)
            {
                _looked = 1;
                if (Names.TryTakeStartup(path, out RawEndpoint taken)) Endpoint = taken;
            }
            e = Endpoint;
            return !e.IsNull;
        }

        /// <summary>Closes the endpoint and forgets it (its channel failed, or it was given away). Under the gate.</summary>
        public void Drop()
        {
            if (!Endpoint.IsNull) Endpoint.Close();
            Endpoint = default;
        }

        public void Enter()
        {
            if (_gate == null)
            {
                Threading.Sync.Acquire(ref _gateLock);
                if (_gate == null) _gate = new Threading.Mutex();
                Threading.Sync.Release(ref _gateLock);
            }
            _gate.Acquire();
        }

        public void Leave() => _gate.Release();
    }
}

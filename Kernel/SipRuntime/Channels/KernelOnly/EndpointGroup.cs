using System;
using Singularity.Abi;
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// The endpoints a service serves, owned by the group: a service accepts clients into it
    /// (Add), waits for whichever client or its listener has something (Select), and takes a
    /// ready client out to serve one message (Take), putting it back afterwards (Add). A SIP
    /// cannot keep endpoints in an array of its own (the verifier's SV0304); the group owns them
    /// the way a TRef owns one.
    /// </summary>
    /// <safety>A sealed class; its array of members is private and every access holds a private lock,
    /// so two threads never both take one member (linearity holds under races). Add claims the
    /// endpoint, Take hands one out once. Select reads the members' handles under the lock and then
    /// asks the kernel, which checks every handle (a member another thread took and closed meanwhile
    /// only makes Select throw).</safety>
    public sealed class EndpointGroup<T> where T : Endpoint
    {
        /// <summary>What Select returns when the listener (not a member) is ready.</summary>
        /// <safety>A constant.</safety>
        public const int ListenerReady = -2;

        private readonly T[] _members;
        private int _count;
        private readonly object _gate = new object();

        /// <summary>A group of at most <paramref name="capacity"/> endpoints (1 to 127: a select waits on at most SipLimits.SelectMaxEndpoints = 128 handles, one of them the listener).</summary>
        /// <safety>The capacity is checked (ArgumentOutOfRangeException) before the array is made.</safety>
        public EndpointGroup(int capacity)
        {
            if (capacity < 1 || capacity > SipLimits.SelectMaxEndpoints - 1) throw new ArgumentOutOfRangeException("capacity");
            _members = new T[capacity];
        }

        /// <safety>Reads the count under the lock.</safety>
        public int Count { get { lock (_gate) return _count; } }

        /// <summary>Adds an endpoint; when the group is full the endpoint is closed (whatever its state) and false returned.</summary>
        /// <safety>Null is ArgumentNullException; a closed endpoint is ArgumentException; under the lock the
        /// count is checked against the array before the store; a refused endpoint is closed by the runtime.</safety>
        public bool Add([Claims] T endpoint)
        {
            if (endpoint == null) throw new ArgumentNullException("endpoint");
            if (endpoint.IsClosed) throw new ArgumentException("adding a closed endpoint to a group");
            lock (_gate)
            {
                if (_count < _members.Length)
                {
                    _members[_count++] = endpoint;
                    return true;
                }
            }
            endpoint.Abandon();
            return false;
        }

        /// <summary>Takes member <paramref name="index"/> out of the group (the last member moves into its place); the caller owns it.</summary>
        /// <safety>Under the lock the index is checked against the count (ArgumentOutOfRangeException); the slot is cleared, so the member is handed out once.</safety>
        public T Take(int index)
        {
            lock (_gate)
            {
                if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException("index");
                T e = _members[index];
                _members[index] = _members[--_count];
                _members[_count] = null;
                return e;
            }
        }

        /// <summary>
        /// Waits until a member has a message or a closed peer (its index), or the listener has a
        /// connection or is gone (<see cref="ListenerReady"/>); -1 on timeout. A null listener waits on the members only.
        /// </summary>
        /// <safety>Copies the members' handles under the lock into a new array of the runtime's (at most 64 with the
        /// listener), then RawEndpoint.Select, which the kernel checks; an empty wait (no listener, no members) is
        /// InvalidOperationException.</safety>
        public int Select(ServiceListener listener, int timeoutMs = -1)
        {
            RawEndpoint[] raw;
            int members;
            lock (_gate)
            {
                members = _count;
                int extra = listener == null ? 0 : 1;
                if (members + extra == 0) throw new InvalidOperationException("select over an empty group without a listener");
                raw = new RawEndpoint[members + extra];
                for (int i = 0; i < members; i++) raw[i] = _members[i].Handle.Raw;
                if (listener != null) raw[members] = listener.Raw;
            }
            int r = RawEndpoint.Select(raw, timeoutMs);
            if (r < 0) return -1;
            return r == members ? ListenerReady : r;
        }
    }
}

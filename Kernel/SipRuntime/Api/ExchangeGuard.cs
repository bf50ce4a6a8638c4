using System;
using Singularity.Runtime;
using Singularity.Threading;

namespace Singularity.Ipc
{
    /// <summary>
    /// Keeps an exchange block in this SIP while one of its threads touches the block's memory.
    /// The kernel hands out a block's address only after checking that this SIP owns it; if
    /// another thread of the SIP then freed or sent the block, the access would go on in memory
    /// the kernel has given to someone else (its own heap, or the SIP that received the block).
    /// So every access is registered here while it runs, and a free or a send of a block first
    /// waits until no access of that block runs and makes new ones fail until the kernel has
    /// answered. Accesses are short and never block, so the wait ends; a send that blocks in the
    /// kernel (a full queue) holds up only accesses to the blocks it carries, which fail.
    /// </summary>
    /// <unsafe>Calls the kernel's ExAccess through the ABI table the kernel gave at start-up; the
    /// kernel checks that the handle names a live block this SIP owns (else null). The address
    /// it returns is valid for the returned length while the block stays this SIP's, which this
    /// class guarantees for the registered access: every free (ExBlock.Free) and send
    /// (RawEndpoint.Send) in this SIP goes through BeginTransfer first.</unsafe>
    internal static unsafe class ExchangeGuard
    {
        // Blocks registered at once: one per running access or transfer. Past it an access
        // fails (InvalidOperationException) rather than waiting for a send that may never end.
        private const int Capacity = 256;

        private struct Entry
        {
            public ulong Handle;
            public int Users;               // accesses running now
            public bool Transferring;       // a free or send of the block is under way
        }

        private static Entry[] s_entries;   // the first s_used are live; guarded by s_lock
        private static int s_used;
        private static int s_lock;

        /// <summary>
        /// Registers an access of <paramref name="handle"/> and returns the block's address and
        /// length from the kernel. Every successful Enter must be followed by one Exit.
        /// </summary>
        public static byte* Enter(ulong handle, out ulong length)
        {
            Sync.Acquire(ref s_lock);
            int i = Find(handle);
            string refused = null;
            if (i >= 0)
            {
                if (s_entries[i].Transferring) refused = "another thread of this SIP is freeing or sending the exchange block";
                else s_entries[i].Users++;
            }
            else if (!Add(handle, users: 1, transferring: false)) refused = "too many exchange blocks in use at once";
            Sync.Release(ref s_lock);
            if (refused != null) throw new InvalidOperationException(refused);

            ulong len;
            byte* p = (byte*)KernelCalls.Abi->ExAccess(handle, &len);
            if (p == null)
            {
                Exit(handle);
                throw new InvalidOperationException("this SIP does not own the exchange block (it was sent or freed)");
            }
            length = len;
            return p;
        }

        /// <summary>Ends an access registered by Enter.</summary>
        public static void Exit(ulong handle)
        {
            Sync.Acquire(ref s_lock);
            int i = Find(handle);
            if (i >= 0 && --s_entries[i].Users <= 0 && !s_entries[i].Transferring) Remove(i);
            Sync.Release(ref s_lock);
        }

        /// <summary>
        /// Before the kernel frees or sends <paramref name="handle"/>: new accesses fail, and this
        /// returns once the running ones have ended. False when another transfer of the block is
        /// under way (another thread frees or sends it, or it is twice in one message), or the
        /// table is full. Every true must be followed by one EndTransfer.
        /// </summary>
        public static bool TryBeginTransfer(ulong handle)
        {
            Sync.Acquire(ref s_lock);
            int i = Find(handle);
            bool ok, accessed = false;
            if (i >= 0)
            {
                ok = !s_entries[i].Transferring;
                if (ok) { s_entries[i].Transferring = true; accessed = s_entries[i].Users > 0; }
            }
            else ok = Add(handle, users: 0, transferring: true);
            Sync.Release(ref s_lock);
            if (!ok) return false;
            if (!accessed) return true;             // the usual case: no access of the block runs
            for (int attempt = 0; ; attempt++)
            {
                Sync.Acquire(ref s_lock);
                int users = s_entries[Find(handle)].Users;
                Sync.Release(ref s_lock);
                if (users <= 0) return true;
                KernelCalls.Abi->Yield();
            }
        }

        /// <summary>The kernel has answered the free or send: accesses may use the handle again (and find the block gone, if it went).</summary>
        public static void EndTransfer(ulong handle)
        {
            Sync.Acquire(ref s_lock);
            int i = Find(handle);
            if (i >= 0)
            {
                s_entries[i].Transferring = false;
                if (s_entries[i].Users <= 0) Remove(i);
            }
            Sync.Release(ref s_lock);
        }

        // The following run with s_lock held.

        private static int Find(ulong handle)
        {
            for (int i = 0; i < s_used; i++)
                if (s_entries[i].Handle == handle) return i;
            return -1;
        }

        private static bool Add(ulong handle, int users, bool transferring)
        {
            s_entries ??= new Entry[Capacity];
            if (s_used == Capacity) return false;
            s_entries[s_used].Handle = handle;
            s_entries[s_used].Users = users;
            s_entries[s_used].Transferring = transferring;
            s_used++;
            return true;
        }

        private static void Remove(int i)
        {
            s_entries[i] = s_entries[--s_used];
            s_entries[s_used] = default;
        }
    }
}

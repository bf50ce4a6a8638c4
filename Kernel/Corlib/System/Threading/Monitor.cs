using System.Runtime;
using System.Runtime.CompilerServices;

namespace System.Threading
{
    /// <summary>
    /// `lock` (Monitor.Enter/Exit) with a thin lock in the object's header word, the 8 bytes
    /// before its MethodTable pointer: bits 0-7 belong to the collector (mark bit), bits 8-39 hold
    /// the owning thread's id, bits 40-63 the recursion count. A contended Enter yields, then
    /// sleeps, through the runtime's rt_lock_wait; there is no queue of waiters (no fairness).
    /// Wait/Pulse are not supported.
    /// </summary>
    /// <safety>Locks live in the object's own header word, updated by compare-and-exchange only;
    /// nothing else is read or written. The owner is the calling thread's id (from the runtime),
    /// the recursion count is checked before it could overflow into the owner bits, and only the
    /// owner may exit. Whatever a SIP does with its locks (never exit, lock from many threads)
    /// stalls only its own threads.</safety>
    /// <unsafe>Header: the reference is the object's address (the collector never moves objects)
    /// and every object has an 8-byte header word before its MethodTable pointer, which the
    /// allocator created; bits 0-7 stay the collector's (kept by every update). A literal or
    /// other object built into the image has its header in the image's data, which the loader
    /// maps writable; the update is the same. The owner id comes from rt_current_thread_id
    /// (the kernel's thread id + 1, never 0), rt_lock_wait only yields or sleeps.</unsafe>
    public static unsafe class Monitor
    {
        private const int OwnerShift = 8, CountShift = 40;
        private const ulong GcBits = 0xff;
        private const ulong OwnerMask = 0xffffffffUL << OwnerShift;
        private const ulong CountMask = 0xffffffUL << CountShift;
        private const ulong CountOne = 1UL << CountShift;

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "rt_current_thread_id")]
        private static extern int CurrentThreadId();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "rt_lock_wait")]
        private static extern void LockWait(int attempt);

        private static long* Header(object obj)
        {
            if (obj == null) throw new ArgumentNullException("obj");
            // The reference is the object's address (the collector never moves objects).
            return (long*)*(nint*)Unsafe.AsPointer(ref obj) - 1;
        }

        private static ulong Me() => (ulong)(uint)CurrentThreadId() << OwnerShift;

        /// <safety>Null is ArgumentNullException; otherwise waits (yielding, then sleeping) until the compare-and-exchange takes the lock.</safety>
        public static void Enter(object obj)
        {
            bool taken = false;
            Enter(obj, ref taken);
        }

        /// <safety>As Enter; a lockTaken already true is ArgumentException; writes only the caller's bool.</safety>
        public static void Enter(object obj, ref bool lockTaken)
        {
            if (lockTaken) throw new ArgumentException("The lockTaken argument must be false on entry.", "lockTaken");
            long* header = Header(obj);
            ulong me = Me();
            for (int attempt = 0; ; attempt++)
            {
                if (TryAcquire(header, me)) { lockTaken = true; return; }
                LockWait(attempt);
            }
        }

        /// <safety>One attempt of Enter.</safety>
        public static bool TryEnter(object obj)
        {
            bool taken = false;
            TryEnter(obj, ref taken);
            return taken;
        }

        /// <safety>One attempt of Enter, reported in the caller's bool.</safety>
        public static void TryEnter(object obj, ref bool lockTaken)
        {
            if (lockTaken) throw new ArgumentException("The lockTaken argument must be false on entry.", "lockTaken");
            lockTaken = TryAcquire(Header(obj), Me());
        }

        private static bool TryAcquire(long* header, ulong me)
        {
            while (true)
            {
                ulong old = (ulong)*header;
                ulong owner = old & OwnerMask;
                ulong updated;
                if (owner == 0) updated = (old & GcBits) | me;
                else if (owner == me)
                {
                    if ((old & CountMask) == CountMask) throw new SynchronizationLockException("Too many nested locks of one object.");
                    updated = old + CountOne;
                }
                else return false;
                if ((ulong)Interlocked.CompareExchange(ref *header, (long)updated, (long)old) == old) return true;
            }
        }

        /// <safety>Null is ArgumentNullException; a thread that does not own the lock gets SynchronizationLockException; else one compare-and-exchange.</safety>
        public static void Exit(object obj)
        {
            long* header = Header(obj);
            ulong me = Me();
            while (true)
            {
                ulong old = (ulong)*header;
                if ((old & OwnerMask) != me)
                    throw new SynchronizationLockException("Object synchronization method was called from an unsynchronized block of code.");
                ulong updated = (old & CountMask) != 0 ? old - CountOne : old & GcBits;
                if ((ulong)Interlocked.CompareExchange(ref *header, (long)updated, (long)old) == old) return;
            }
        }

        /// <safety>Reads the header word (null is ArgumentNullException).</safety>
        public static bool IsEntered(object obj) => ((ulong)*Header(obj) & OwnerMask) == Me();
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class SynchronizationLockException : SystemException
    {
        public SynchronizationLockException() : base("Object synchronization method was called from an unsynchronized block of code.") { }
        public SynchronizationLockException(string message) : base(message) { }
        public override string TypeName => "System.Threading.SynchronizationLockException";
    }
}

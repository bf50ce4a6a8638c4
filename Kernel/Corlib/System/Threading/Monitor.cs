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

        public static void Enter(object obj)
        {
            bool taken = false;
            Enter(obj, ref taken);
        }

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

        public static bool TryEnter(object obj)
        {
            bool taken = false;
            TryEnter(obj, ref taken);
            return taken;
        }

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

        public static bool IsEntered(object obj) => ((ulong)*Header(obj) & OwnerMask) == Me();
    }

    public class SynchronizationLockException : SystemException
    {
        public SynchronizationLockException() : base("Object synchronization method was called from an unsynchronized block of code.") { }
        public SynchronizationLockException(string message) : base(message) { }
        public override string TypeName => "System.Threading.SynchronizationLockException";
    }
}

using System;
using System.Threading;
using Singularity.Runtime;

namespace Singularity.Threading
{
    /// <summary>
    /// Priorities a SIP may give its threads: from Low up to what it was granted (Normal unless the
    /// system manifest or its parent granted another; High only by a grant). New threads start at
    /// Normal, or at the grant when that is lower.
    /// </summary>
    /// <safety>An enum; the kernel refuses any value below Low or above the calling SIP's grant.</safety>
    /// <allmembers>A constant.</allmembers>
    public enum ThreadPriority { Low = 1, Normal = 2, High = 3 }

    /// <summary>A thread of this SIP, scheduled preemptively by the kernel.</summary>
    /// <safety>A sealed class over a kernel thread handle (private, from the kernel); the kernel checks
    /// the handle on every call (this SIP's handle table). Bodies wait in a runtime table under a
    /// runtime lock until their thread takes them.</safety>
    /// <unsafe>Every member calls the kernel through the ABI table the kernel gave at start-up
    /// (KernelCalls.Abi, written once by Startup before Main), with integers only; Start passes the
    /// address of the static method Entry, which the kernel starts with the slot number it was given.</unsafe>
    public sealed unsafe class Thread
    {
        private const int MaxPending = Abi.SipLimits.MaxThreads;     // every thread the SIP may have can be starting at once
        private static Action[] s_pending;
        private static int s_lock;

        private int _handle;    // 0 once Join saw the thread end and gave its handle back

        private Thread(int handle) { _handle = handle; }

        /// <summary>Starts <paramref name="body"/> on a new thread.</summary>
        /// <safety>Null is ArgumentNullException; more than 64 starting at once is InvalidOperationException;
        /// the kernel bounds the SIP's threads (failure: InvalidOperationException, the parked body is taken back).</safety>
        public static Thread Start(Action body)
        {
            if (body == null) throw new ArgumentNullException("body");
            int slot = Park(body);
            delegate*<ulong, void> entry = &Entry;
            int h = KernelCalls.Abi->CreateThread((ulong)entry, (ulong)slot);
            if (h < 0)
            {
                Take(slot);
                if (h == Abi.SipLimits.ThreadLimitReached)
                    throw new InvalidOperationException("thread limit reached (the SIP's thread grant)");
                throw new InvalidOperationException("the kernel could not create a thread");
            }
            return new Thread(h);
        }

        /// <summary>
        /// Waits for the thread to end; false if <paramref name="timeoutMs"/> passed first (-1 = forever).
        /// Once it has ended its kernel handle is given back, so a SIP can go on starting threads
        /// (a SIP holds at most 255 handles: threads not yet joined, events, mutexes, endpoints).
        /// </summary>
        /// <safety>Reads the handle once; the kernel waits on it (this SIP's own; any timeout is valid,
        /// negative is forever) and only one thread can take it back (compare-exchange) to close it.</safety>
        public bool Join(int timeoutMs = -1)
        {
            int h = _handle;
            if (h == 0) return true;
            if (KernelCalls.Abi->Wait(h, Sync.TimeoutNs(timeoutMs)) != 1) return false;
            if (Interlocked.CompareExchange(ref _handle, 0, h) == h) KernelCalls.Abi->CloseHandle(h);
            return true;
        }

        /// <summary>Sets this thread's priority: Low up to the SIP's grant (above it: ArgumentOutOfRangeException).</summary>
        /// <safety>The kernel refuses priorities outside Low..the SIP's grant (ArgumentOutOfRangeException) and handles not this SIP's.</safety>
        public void SetPriority(ThreadPriority priority)
        {
            int h = _handle;
            if (h == 0) throw new InvalidOperationException("the thread has ended");
            if (KernelCalls.Abi->SetThreadPriority(h, (int)priority) != 0) throw new ArgumentOutOfRangeException("priority");
        }

        /// <summary>Sets the calling thread's priority.</summary>
        /// <safety>As SetPriority, for the calling thread.</safety>
        public static void SetCurrentPriority(ThreadPriority priority)
        {
            if (KernelCalls.Abi->SetThreadPriority(0, (int)priority) != 0) throw new ArgumentOutOfRangeException("priority");
        }

        /// <safety>Gives up the processor.</safety>
        public static void Yield() => KernelCalls.Abi->Yield();

        /// <safety>Negative is ArgumentOutOfRangeException; the product with 10^6 fits 64 bits for any int.</safety>
        public static void Sleep(int ms)
        {
            if (ms < 0) throw new ArgumentOutOfRangeException("ms");
            KernelCalls.Abi->Sleep((ulong)ms * 1000000);
        }

        /// <safety>The kernel's id of the calling thread.</safety>
        public static int CurrentId => KernelCalls.Abi->CurrentThreadId();

        private static void Entry(ulong slot)
        {
            Action body = Take((int)slot);
            body();
            KernelCalls.Abi->ExitThread(0);
        }

        // The delegate waits in a static table (a GC root) until the new thread picks it up.
        private static int Park(Action body)
        {
            Sync.Acquire(ref s_lock);
            s_pending ??= new Action[MaxPending];
            int slot = -1;
            for (int i = 0; i < MaxPending; i++) if (s_pending[i] == null) { slot = i; break; }
            if (slot >= 0) s_pending[slot] = body;
            Sync.Release(ref s_lock);
            if (slot < 0) throw new InvalidOperationException("too many threads starting at once");
            return slot;
        }

        private static Action Take(int slot)
        {
            Sync.Acquire(ref s_lock);
            Action body = s_pending[slot];
            s_pending[slot] = null;
            Sync.Release(ref s_lock);
            return body;
        }
    }

    /// <summary>An event: auto-reset (one waiter per Set) or manual-reset.</summary>
    /// <safety>A sealed class over a kernel event handle (private, from the kernel), which the kernel checks on every call.</safety>
    /// <unsafe>ABI calls with integers only (the handle and flags).</unsafe>
    public sealed unsafe class Event
    {
        private readonly int _handle;

        /// <safety>The kernel creates the event (failure: InvalidOperationException).</safety>
        public Event(bool manualReset = false, bool signaled = false)
        {
            _handle = KernelCalls.Abi->CreateEvent(manualReset ? 1 : 0, signaled ? 1 : 0);
            if (_handle < 0) throw new InvalidOperationException("the kernel could not create an event");
        }

        /// <safety>An ABI call on this SIP's handle.</safety>
        public void Set() => KernelCalls.Abi->SetEvent(_handle);
        /// <safety>An ABI call on this SIP's handle.</safety>
        public void Reset() => KernelCalls.Abi->ResetEvent(_handle);

        /// <summary>Waits until set; false if <paramref name="timeoutMs"/> passed first (-1 = forever).</summary>
        /// <safety>An ABI call on this SIP's handle; any timeout is valid.</safety>
        public bool Wait(int timeoutMs = -1) => KernelCalls.Abi->Wait(_handle, Sync.TimeoutNs(timeoutMs)) == 1;
    }

    /// <summary>A recursive mutual-exclusion lock between this SIP's threads.</summary>
    /// <safety>A sealed class over a kernel mutex handle (private, from the kernel), which the kernel checks on every call.</safety>
    /// <unsafe>ABI calls with integers only.</unsafe>
    public sealed unsafe class Mutex
    {
        private readonly int _handle;

        /// <safety>The kernel creates the mutex (failure: InvalidOperationException).</safety>
        public Mutex()
        {
            _handle = KernelCalls.Abi->CreateMutex();
            if (_handle < 0) throw new InvalidOperationException("the kernel could not create a mutex");
        }

        /// <safety>An ABI wait on this SIP's handle; any timeout is valid.</safety>
        public bool Acquire(int timeoutMs = -1) => KernelCalls.Abi->Wait(_handle, Sync.TimeoutNs(timeoutMs)) == 1;

        /// <safety>The kernel refuses a thread that does not hold it (InvalidOperationException).</safety>
        public void Release()
        {
            if (KernelCalls.Abi->ReleaseMutex(_handle) != 0)
                throw new InvalidOperationException("releasing a mutex this thread does not hold");
        }
    }

    /// <unsafe>Yield through the ABI table while a spin lock is taken.</unsafe>
    internal static unsafe class Sync
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static ulong TimeoutNs(int ms) => ms < 0 ? 0 : ms == 0 ? 1 : (ulong)ms * 1000000;

        public static void Acquire(ref int l)
        {
            while (Interlocked.CompareExchange(ref l, 1, 0) != 0) KernelCalls.Abi->Yield();
        }

        public static void Release(ref int l) => Interlocked.Exchange(ref l, 0);
    }
}

using Singularity.Kernel.Arch;
using Singularity.Kernel.Memory;

namespace Singularity.Kernel.Threading
{
    /// <summary>A recursive mutex; ownership passes directly to the first waiter on release.</summary>
    internal sealed class Mutex
    {
        private readonly WaitQueue _waiters = new WaitQueue();
        private Thread _owner;
        private int _depth;

        /// <summary>Returns the mutex's memory to the kernel heap (its handle is gone; nobody waits on it).</summary>
        public void FreeRecord()
        {
            Allocator.Free(_waiters);
            Allocator.Free(this);
        }

        public Thread Owner => _owner;

        public bool Acquire(ulong timeoutNs)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Thread me = Scheduler.Current;
            bool ok = true;
            if (_owner == null || _owner.State == ThreadState.Dead) { _owner = me; _depth = 1; }
            else if (_owner == me) _depth++;
            else ok = Scheduler.Block(_waiters, timeoutNs);   // Release hands us ownership
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return ok;
        }

        /// <summary>False if the caller does not own the mutex.</summary>
        public bool Release()
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            bool ok = _owner == Scheduler.Current;
            if (ok && --_depth == 0)
            {
                Thread next = Scheduler.WakeOne(_waiters);
                _owner = next;
                _depth = next == null ? 0 : 1;
                Scheduler.PreemptIfHigherReady();
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return ok;
        }
    }
}

using Singularity.Kernel.Arch;
using Singularity.Kernel.Memory;

namespace Singularity.Kernel.Threading
{
    /// <summary>An event threads wait on: auto-reset (wakes one waiter, then clears) or manual-reset.</summary>
    internal sealed class Event
    {
        private readonly WaitQueue _waiters = new WaitQueue();
        private readonly bool _manualReset;
        private bool _signaled;

        public Event(bool manualReset, bool initiallySignaled)
        {
            _manualReset = manualReset;
            _signaled = initiallySignaled;
        }

        public void Set() => Set(true);

        /// <summary>Returns the event's memory to the kernel heap (its handle is gone; nobody waits on it).</summary>
        public void FreeRecord()
        {
            Allocator.Free(_waiters);
            Allocator.Free(this);
        }

        /// <summary>Signals without switching to a woken higher-priority thread (for kernel code mid-operation).</summary>
        public void SetWithoutPreemption() => Set(false);

        private void Set(bool mayPreempt)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            if (_manualReset)
            {
                _signaled = true;
                Scheduler.WakeAll(_waiters);
            }
            else if (Scheduler.WakeOne(_waiters) == null)
            {
                _signaled = true;
            }
            if (mayPreempt) Scheduler.PreemptIfHigherReady();
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        public void Reset() => _signaled = false;

        /// <summary>Waits until set; false if <paramref name="timeoutNs"/> (0 = forever) passes first.</summary>
        public bool Wait(ulong timeoutNs)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            bool ok = true;
            if (_signaled)
            {
                if (!_manualReset) _signaled = false;
            }
            else
            {
                ok = Scheduler.Block(_waiters, timeoutNs);
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return ok;
        }
    }
}

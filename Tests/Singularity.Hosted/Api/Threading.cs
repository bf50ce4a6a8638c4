using System;
using Singularity.Hosted;

// Singularity.Threading of Kernel/SipRuntime/Api/Threading.cs on .NET: a SIP's threads are .NET
// threads that belong to the hosted SIP that started them (HostedSip.Current flows into them).
namespace Singularity.Threading
{
    public enum ThreadPriority { Low = 1, Normal = 2, High = 3 }

    public sealed class Thread
    {
        private readonly System.Threading.Thread _thread;

        private Thread(System.Threading.Thread thread) { _thread = thread; }

        public static Thread Start(Action body)
        {
            if (body == null) throw new ArgumentNullException("body");
            HostedSip owner = HostedSip.Current;
            var t = new System.Threading.Thread(() =>
            {
                try { body(); }
                catch (Exception e) { owner.Log("thread failed: " + e.GetType().Name + ": " + e.Message + "\n"); }
            }) { IsBackground = true };
            t.Start();
            return new Thread(t);
        }

        public bool Join(int timeoutMs = -1) => _thread.Join(timeoutMs);
        public void SetPriority(ThreadPriority priority) { }
        public static void SetCurrentPriority(ThreadPriority priority) { }
        public static void Yield() => System.Threading.Thread.Yield();
        public static void Sleep(int ms) => System.Threading.Thread.Sleep(ms < 0 ? 0 : ms);
        public static int CurrentId => Environment.CurrentManagedThreadId;
    }

    public sealed class Event
    {
        private readonly System.Threading.EventWaitHandle _event;
        public Event(bool manualReset = false, bool signaled = false)
        {
            _event = new System.Threading.EventWaitHandle(signaled, manualReset ? System.Threading.EventResetMode.ManualReset : System.Threading.EventResetMode.AutoReset);
        }
        public void Set() => _event.Set();
        public void Reset() => _event.Reset();
        public bool Wait(int timeoutMs = -1) => _event.WaitOne(timeoutMs);
    }

    public sealed class Mutex
    {
        private readonly System.Threading.SemaphoreSlim _gate = new System.Threading.SemaphoreSlim(1, 1);
        public bool Acquire(int timeoutMs = -1) => _gate.Wait(timeoutMs);
        public void Release() => _gate.Release();
    }
}

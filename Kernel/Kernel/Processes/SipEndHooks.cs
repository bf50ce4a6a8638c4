using Singularity.Kernel.Diagnostics;

namespace Singularity.Kernel.Processes
{
    /// <summary>The steps of a SIP's end where a layer above Processes frees what it holds for the SIP.</summary>
    internal enum SipEndStep
    {
        /// <summary>Terminate, before anything else: a driver's device is quiesced and its hardware grant released (IO).</summary>
        Quiesce,
        /// <summary>Terminate, first: the SIP is marked ended, its threads still exist (the name service drops its names).</summary>
        Ending,
        /// <summary>Terminate, once its handles are closed: its killed threads' pins go (channels).</summary>
        HandlesClosed,
        /// <summary>Terminate, once its threads are released: its exchange blocks go.</summary>
        ThreadsReleased,
        /// <summary>TryFreeRecord: nothing may name the SIP's record any more (serial input).</summary>
        RecordFreed,
        Count,
    }

    /// <summary>
    /// How the layers above Processes (Ipc, IO) learn that a SIP ends, without Processes naming
    /// them: each registers one function per step at boot (Boot/Kernel.cs, ConnectLayers); the
    /// SIP calls them in order. One function per step; registering a second is a boot bug.
    /// </summary>
    internal static unsafe class SipEndHooks
    {
        private static delegate*<Sip, void> s_quiesce, s_ending, s_handlesClosed, s_threadsReleased, s_recordFreed;

        public static void Register(SipEndStep step, delegate*<Sip, void> hook)
        {
            ref delegate*<Sip, void> slot = ref Slot(step);
            if (slot != null) Panic.Halt("two functions registered for one step of a SIP's end");
            slot = hook;
        }

        /// <summary>Runs the step's function, if one is registered.</summary>
        public static void Run(SipEndStep step, Sip sip)
        {
            delegate*<Sip, void> hook = Slot(step);
            if (hook != null) hook(sip);
        }

        private static ref delegate*<Sip, void> Slot(SipEndStep step)
        {
            switch (step)
            {
                case SipEndStep.Quiesce: return ref s_quiesce;
                case SipEndStep.Ending: return ref s_ending;
                case SipEndStep.HandlesClosed: return ref s_handlesClosed;
                case SipEndStep.ThreadsReleased: return ref s_threadsReleased;
                default: return ref s_recordFreed;
            }
        }
    }

    /// <summary>
    /// A kernel object of a layer above Processes held in a SIP's handle table (an Ipc endpoint):
    /// closing the handle, or the SIP's end, calls <see cref="OnHandleClosed"/>.
    /// </summary>
    internal abstract class HandleObject
    {
        public abstract void OnHandleClosed();
    }
}

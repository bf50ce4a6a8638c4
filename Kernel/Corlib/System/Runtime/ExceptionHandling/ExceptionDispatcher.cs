using System.Runtime.CompilerServices;

#pragma warning disable CS8500 // FuncletFrame lives on the stack; its object field is scanned there

namespace System.Runtime.ExceptionHandling
{
    /// <summary>
    /// Two-pass exception dispatch, as the CLI specifies it. Pass one walks the stack from the
    /// throw site to find the frame whose clause handles the exception (type match or filter);
    /// if none does, the exception is unhandled and nothing runs. Pass two walks again, running
    /// finally and fault funclets of every frame it leaves, then calls the catch funclet and
    /// resumes in its frame. Shared by the kernel and the SIP runtime: each links this core
    /// library and supplies rt_unhandled_exception.
    /// </summary>
    /// <unsafe>The throw site is a RegContext asm/exceptions.asm saved on the throwing thread's stack
    /// (RhpThrowEx, RhpRethrow, eh_throw_hw for a CPU fault the kernel redirected). Frames are walked
    /// with FrameUnwinder, at most MaxFrames; the trace buffer is a 32-entry stackalloc filled while
    /// the count is below 32, then copied into an array of exactly the count. A FuncletFrame is read
    /// only at the stack slot eh_call_funclet wrote it to, recognized by the return address into
    /// eh_call_funclet (FrameUnwinder.FuncletReturn); it lives in RunFunclet's frame, below the funclet.
    /// Funclet and resume addresses are method starts plus clause offsets from the image's tables.
    /// The exception object is the SIP's: only its type is tested (MethodTable), and the stack trace
    /// field (internal) is written. SIP code runs only as filters, catch and finally funclets, on the
    /// same thread.</unsafe>
    internal static unsafe class ExceptionDispatcher
    {
        public const int MaxTraceFrames = 32;
        private const int MaxFrames = 100000;      // a corrupt stack must not loop forever

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "eh_call_funclet")]
        private static extern ulong CallFunclet(ulong funclet, RegContext* frame, object exception, FuncletFrame* record);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "eh_resume")]
        private static extern void Resume(RegContext* frame, ulong resumeIp);

        /// <summary>The kernel's or the SIP runtime's last word on an exception nobody catches.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "rt_unhandled_exception")]
        private static extern void Unhandled(object exception, RegContext* throwSite, ulong vector, ulong faultAddress, ulong errorCode);

        /// <summary>No CPU fault: a thrown exception.</summary>
        public const ulong NotAFault = ulong.MaxValue;

        /// <summary>
        /// Called by asm RhpThrowEx and RhpRethrow through an eh_dispatch export in the kernel and
        /// the SIP runtime (ilc compiles exports of the assemblies it is given, not of this one).
        /// </summary>
        public static void Dispatch(object exception, RegContext* throwSite, int rethrow)
        {
            if (rethrow != 0)
            {
                exception = FindExceptionBeingHandled(*throwSite);
                if (exception == null) Unhandled(null, throwSite, NotAFault, 0, 0);
            }
            else if (exception == null)
            {
                exception = new NullReferenceException();   // `throw null`
            }
            DispatchCore(exception, throwSite, false, rethrow != 0, NotAFault, 0, 0);
        }

        /// <summary>A CPU fault in managed code, redirected here by the kernel (asm eh_throw_hw).</summary>
        public static void DispatchFault(ulong vector, ulong rip, ulong faultAddress, ulong errorCode, RegContext* faultSite)
        {
            Exception exception = vector == 0
                ? new DivideByZeroException()
                : new NullReferenceException();
            DispatchCore(exception, faultSite, true, false, vector, faultAddress, errorCode);
        }

        private static void DispatchCore(object exception, RegContext* throwSite, bool fault, bool rethrow,
                                         ulong vector, ulong faultAddress, ulong errorCode)
        {
            // Pass one: find the handler, recording the stack trace on the way.
            ulong* trace = stackalloc ulong[MaxTraceFrames];
            int traced = 0;
            RegContext frame = *throwSite;
            bool exact = fault;
            int startClause = 0;
            int depth = 0;

            RegContext target = default;
            bool targetExact = false;
            int targetDepth = -1, targetClause = -1;
            ulong handler = 0;
            bool escapesFilter = false;

            while (depth < MaxFrames)
            {
                if (!FrameUnwinder.Find(exact ? frame.Rip : frame.Rip - 1, out CodeInfo code)) break;
                if (traced < MaxTraceFrames) trace[traced++] = frame.Rip;
                MethodEhInfo method = MethodEhInfo.For(code);
                ulong offset = (exact ? frame.Rip : frame.Rip - 1) - method.MethodStart;
                int index = 0;
                while (method.Next(out EhClause clause))
                {
                    if (index++ < startClause || !clause.Covers(offset)) continue;
                    bool handles;
                    if (clause.Kind == EhClauseKind.Typed)
                        handles = TypeCast.IsInstanceOfException(clause.CatchType, exception);
                    else if (clause.Kind == EhClauseKind.Filter)
                        handles = RunFilter(method.MethodStart + clause.FilterOffset, &frame, exact, index - 1, exception);
                    else continue;
                    if (!handles) continue;
                    target = frame;
                    targetExact = exact;
                    targetDepth = depth;
                    targetClause = index - 1;
                    handler = method.MethodStart + clause.HandlerOffset;
                    break;
                }
                if (targetDepth >= 0) break;

                if (!FrameUnwinder.Unwind(ref frame, exact)) break;
                depth++;
                exact = false;
                startClause = 0;
                FuncletFrame* running = RunningFunclet(frame);
                if (running != null)
                {
                    if (running->Kind == FuncletKind.Filter)
                    {
                        // An exception escaping a filter is swallowed: the filter said no.
                        target = frame;
                        targetDepth = depth;
                        escapesFilter = true;
                        break;
                    }
                    ContinueInParent(running, ref frame, ref exact, ref startClause);
                }
            }

            Exception managed = exception as Exception;
            if (managed != null && (!rethrow || managed._stackTrace == null))
            {
                ulong[] saved = new ulong[traced];
                for (int i = 0; i < traced; i++) saved[i] = trace[i];
                managed._stackTrace = saved;
            }

            if (targetDepth < 0)
            {
                Unhandled(exception, throwSite, vector, faultAddress, errorCode);
                return;
            }

            // Pass two: run the finally and fault funclets of every frame being left.
            frame = *throwSite;
            exact = fault;
            startClause = 0;
            for (depth = 0; ; depth++)
            {
                bool last = depth == targetDepth;
                if (last && escapesFilter) break;
                if (!FrameUnwinder.Find(exact ? frame.Rip : frame.Rip - 1, out CodeInfo code)) break;
                MethodEhInfo method = MethodEhInfo.For(code);
                ulong offset = (exact ? frame.Rip : frame.Rip - 1) - method.MethodStart;
                int index = 0;
                while (method.Next(out EhClause clause))
                {
                    int i = index++;
                    if (last && i >= targetClause) break;
                    if (i < startClause || clause.Kind != EhClauseKind.Fault || !clause.Covers(offset)) continue;
                    RunFunclet(method.MethodStart + clause.HandlerOffset, &frame, exact, i, FuncletKind.Finally, null);
                }
                if (last) break;
                if (!FrameUnwinder.Unwind(ref frame, exact)) break;
                exact = false;
                startClause = 0;
                FuncletFrame* running = RunningFunclet(frame);
                if (running != null && !(escapesFilter && depth + 1 == targetDepth))
                    ContinueInParent(running, ref frame, ref exact, ref startClause);
            }

            if (escapesFilter)
            {
                // Return false from the filter: continue at eh_funclet_return with rax = 0.
                Resume(&target, FrameUnwinder.FuncletReturn);
                return;
            }

            ulong resumeAt = RunFunclet(handler, &target, targetExact, targetClause, FuncletKind.Catch, exception);
            Resume(&target, resumeAt);
        }

        private static bool RunFilter(ulong filter, RegContext* frame, bool exact, int clauseIndex, object exception) =>
            RunFunclet(filter, frame, exact, clauseIndex, FuncletKind.Filter, exception) != 0;

        // Calls a funclet of `frame` with the record a later unwind will find (see FuncletFrame).
        private static ulong RunFunclet(ulong funclet, RegContext* frame, bool exact, int clauseIndex, FuncletKind kind, object exception)
        {
            FuncletFrame record = default;
            record.Parent = *frame;
            record.ClauseIndex = clauseIndex;
            record.Kind = kind;
            record.ParentIsFaultSite = exact;
            record.Exception = exception;
            return CallFunclet(funclet, frame, exception, &record);
        }

        // The record of the funclet whose caller `frame` is, when that caller is eh_call_funclet.
        private static FuncletFrame* RunningFunclet(in RegContext frame) =>
            frame.Rip == FrameUnwinder.FuncletReturn ? *(FuncletFrame**)frame.Rsp : null;

        // Skips the dispatcher's frames: the walk goes on in the funclet's parent, with the
        // clauses that enclose the running one.
        private static void ContinueInParent(FuncletFrame* running, ref RegContext frame, ref bool exact, ref int startClause)
        {
            frame = running->Parent;
            exact = running->ParentIsFaultSite;
            startClause = running->ClauseIndex + 1;
        }

        // `throw;` runs inside a catch funclet: the nearest catch record up the stack holds the
        // exception it handles.
        private static object FindExceptionBeingHandled(RegContext frame)
        {
            bool exact = false;
            for (int depth = 0; depth < MaxFrames; depth++)
            {
                if (!FrameUnwinder.Unwind(ref frame, exact)) return null;
                FuncletFrame* running = RunningFunclet(frame);
                if (running == null) continue;
                if (running->Kind == FuncletKind.Catch) return running->Exception;
                int ignored = 0;
                ContinueInParent(running, ref frame, ref exact, ref ignored);
            }
            return null;
        }
    }
}

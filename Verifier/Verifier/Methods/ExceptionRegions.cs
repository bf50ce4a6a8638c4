using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>
/// Exception regions (III.1.7.3, Partition I 12.4.2): the structure of the exception table, which
/// branches may enter or leave a region, the states that flow into handlers, and where a finally
/// handler continues on the normal path.
/// </summary>
internal sealed partial class MethodVerifier
{
    // ----- exception regions (III.1.7.3, Partition I 12.4.2) ----------------------------------

    /// <summary>
    /// The structure of the exception table: blocks start and end at valid branch targets, blocks
    /// and handlers are disjoint or nested (a handler never overlaps its own try block), clauses of
    /// nested blocks come before the clauses of the blocks that enclose them, and a catch names an
    /// exception class. Returns false when the regions cannot be followed (the method is refused).
    /// </summary>
    private bool CheckRegions()
    {
        bool ok = true;
        var ranges = new List<(int Start, int End, int Clause, int Kind)>();   // Kind: 0 try, 1 handler, 2 filter
        for (int h = 0; h < _handlers.Count; h++)
        {
            var eh = _handlers[h];
            int ts = _index[eh.TryStart.Offset], te = eh.TryEnd == null ? _ins.Length : _index[eh.TryEnd.Offset];
            int hs = _index[eh.HandlerStart.Offset], he = eh.HandlerEnd == null ? _ins.Length : _index[eh.HandlerEnd.Offset];
            foreach (int b in new[] { ts, te, hs, he }.Concat(eh.HandlerType == ExceptionHandlerType.Filter ? new[] { _index[eh.FilterStart.Offset] } : Array.Empty<int>()))
                if (b < _ins.Length && _afterPrefix[b]) { Report(Codes.BranchTarget, $"exception clause {h + 1} starts or ends at an instruction that follows a prefix (inside a prefixed instruction)", _ins[b].Offset); ok = false; }
            if (ts >= te || hs >= he) { Report(Codes.ExceptionRegion, $"exception clause {h + 1} has an empty try block or handler", _ins[Math.Min(ts, _ins.Length - 1)].Offset); ok = false; continue; }
            ranges.Add((ts, te, h, 0));
            ranges.Add((hs, he, h, 1));
            if (eh.HandlerType == ExceptionHandlerType.Filter)
            {
                int fs = _index[eh.FilterStart.Offset];
                if (fs >= hs) { Report(Codes.ExceptionRegion, $"exception clause {h + 1}: the filter does not precede its handler", _ins[fs].Offset); ok = false; continue; }
                ranges.Add((fs, hs, h, 2));
            }
            if (eh.HandlerType == ExceptionHandlerType.Catch)
            {
                var ct = eh.CatchType;
                // C#'s catch-all is a catch of System.Object (only exceptions are thrown: see throw).
                if (ct == null || _ts.IsValueType(ct) || !(_ts.Key(ct) == "System.Object" || _ts.IsAssignableRef(ct, _ts.CorType("System", "Exception"))))
                    Report(Codes.ExceptionRegion, $"catch of {(ct == null ? "no type" : Show(ct))}, which is not an exception class (derived from System.Exception) nor the catch-all System.Object", _ins[hs].Offset);
                else _av.CheckTypeUse(_m, _ins[hs].Offset, ct);
            }
        }
        for (int a = 0; a < ranges.Count; a++)
            for (int b = a + 1; b < ranges.Count; b++)
            {
                var x = ranges[a]; var y = ranges[b];
                bool disjoint = x.End <= y.Start || y.End <= x.Start;
                bool same = x.Start == y.Start && x.End == y.End;
                bool xInY = y.Start <= x.Start && x.End <= y.End, yInX = x.Start <= y.Start && y.End <= x.End;
                string why = null;
                if (x.Clause == y.Clause) { if (!disjoint) why = "a handler or filter overlaps its own try block"; }
                else if (same) { if (!(x.Kind == 0 && y.Kind == 0)) why = "two clauses share a handler or filter"; }
                else if (!disjoint && !xInY && !yInX) why = "protected blocks or handlers overlap without nesting";
                // II.19: the clause of a nested block comes first.
                else if (!disjoint && yInX && !same && y.Clause > x.Clause) why = "the clause of a nested block comes after the clause of the block that encloses it";
                else if (!disjoint && xInY && !same && x.Clause > y.Clause) why = "the clause of a nested block comes after the clause of the block that encloses it";
                if (why == null) continue;
                Report(Codes.ExceptionRegion, $"exception clauses {Math.Min(x.Clause, y.Clause) + 1} and {Math.Max(x.Clause, y.Clause) + 1}: {why}", _ins[Math.Max(x.Start, y.Start)].Offset);
                return false;
            }
        return ok;
    }

    private void ComputeRegionsAndJoins()
    {
        var lists = new List<int>[_ins.Length];
        for (int h = 0; h < _handlers.Count; h++)
        {
            var eh = _handlers[h];
            Mark(eh.TryStart, eh.TryEnd, 2 * h);
            Mark(eh.HandlerStart, eh.HandlerEnd, 2 * h + 1);
            if (eh.HandlerType == ExceptionHandlerType.Filter) Mark(eh.FilterStart, eh.HandlerStart, 2 * h + 1);
            if (eh.TryStart != null && _index.TryGetValue(eh.TryStart.Offset, out int a)) _join[a] = true;
            if (eh.HandlerStart != null && _index.TryGetValue(eh.HandlerStart.Offset, out int b)) _join[b] = true;
            if (eh.FilterStart != null && _index.TryGetValue(eh.FilterStart.Offset, out int c)) _join[c] = true;
        }
        for (int i = 0; i < _ins.Length; i++) _regions[i] = lists[i] == null ? Array.Empty<int>() : lists[i].ToArray();

        void Mark(Instruction start, Instruction end, int id)
        {
            if (start == null) { _cur = 0; throw new UnusableInputException(Codes.CorruptBody, $"{_m.FullName}: exception handler with an invalid start offset"); }
            int s = _index[start.Offset];
            int e = end == null ? _ins.Length : _index[end.Offset];
            for (int i = s; i < e; i++) (lists[i] ??= new List<int>()).Add(id);
        }

        for (int i = 0; i < _ins.Length; i++)
        {
            var ins = _ins[i];
            if (ins.Operand is Instruction t) { if (_index.TryGetValue(t.Offset, out int j)) _join[j] = true; }
            else if (ins.Operand is Instruction[] ts) foreach (var x in ts) if (x != null && _index.TryGetValue(x.Offset, out int j)) _join[j] = true;
        }
    }

    private bool SameRegions(int a, int b) => _regions[a].AsSpan().SequenceEqual(_regions[b]);

    /// <summary>A branch from <paramref name="from"/> may target <paramref name="to"/>: same regions, or the first instruction of a try block nested directly in them.</summary>
    private bool BranchAllowed(int from, int to, bool isLeave)
    {
        var rf = _regions[from]; var rt = _regions[to];
        if (isLeave)
        {
            // leave may exit regions; it may enter only a try block at its start. It never exits a
            // finally or fault handler or a filter (ECMA-335 III.3.46): endfinally and endfilter end those.
            foreach (var r in rt) if (Array.IndexOf(rf, r) < 0 && !IsTryStart(r, to)) return false;
            foreach (var r in rf)
            {
                if (r % 2 == 0 || Array.IndexOf(rt, r) >= 0) continue;
                var eh = _handlers[r / 2];
                if (eh.HandlerType is ExceptionHandlerType.Finally or ExceptionHandlerType.Fault) return false;
                if (eh.HandlerType == ExceptionHandlerType.Filter && from < _index[eh.HandlerStart.Offset]) return false;
            }
            return true;
        }
        foreach (var r in rf) if (Array.IndexOf(rt, r) < 0) return false;
        foreach (var r in rt) if (Array.IndexOf(rf, r) < 0 && !IsTryStart(r, to)) return false;
        return true;
    }

    private bool IsTryStart(int region, int index) => region % 2 == 0 && _handlers[region / 2].TryStart.Offset == _ins[index].Offset;

    private void FlowToHandlers(int i, State st)
    {
        foreach (int r in _regions[i])
        {
            if (r % 2 != 0) continue;
            var eh = _handlers[r / 2];
            var hs = st.Clone();
            hs.N = 0;
            // A finally or fault handler entered by an exception ends in endfinally, which on that
            // path goes on unwinding, never to a leave target: it carries no ownership, so what
            // the try held on its exceptional paths does not reach the normal continuation.
            // (Leaks on exceptional paths are checked at each throw.)
            // (What a call that may throw leaves owned does reach it: FlowExceptional.) It continues unwinding.
            if (eh.HandlerType is ExceptionHandlerType.Finally or ExceptionHandlerType.Fault) { hs.Own = null; if (_flagLocals != null) hs.Cont = PushCont(st.Cont, r / 2, Unwind); }
            // On the way into a handler every slot may hold any of its possible tracked states.
            if (eh.HandlerType is ExceptionHandlerType.Catch or ExceptionHandlerType.Filter)
            {
                var exc = eh.HandlerType == ExceptionHandlerType.Catch ? eh.CatchType : _ts.Object;
                hs.S[0] = new V { K = VK.Ref, T = exc }; hs.N = 1;
            }
            // The filter runs first; its handler (when the filter accepts) starts from the same state.
            // Neither, entered with the exception on the stack, may begin with a try block (its stack must be empty).
            foreach (var start in eh.HandlerType == ExceptionHandlerType.Filter ? new[] { eh.FilterStart, eh.HandlerStart } : new[] { eh.HandlerStart })
            {
                int entry = _index[start.Offset];
                if (hs.N != 0)
                    foreach (int t in _regions[entry])
                        if (IsTryStart(t, entry) && Array.IndexOf(_regions[i], t) < 0)
                        {
                            Report(Codes.ExceptionRegion, "a catch or filter handler begins with a try block, which it enters with the exception on the stack", _ins[entry].Offset);
                            throw new Abort();
                        }
                MergeInto(entry, hs, handler: true);
            }
        }
    }

    /// <summary>The innermost handler or filter enclosing instruction <paramref name="i"/> (regions are nested: the shortest is the innermost), or null.</summary>
    private (ExceptionHandler Clause, int Region, bool Filter)? InnermostHandler(int i)
    {
        (ExceptionHandler, int, bool)? best = null;
        int bestLength = int.MaxValue;
        foreach (int r in _regions[i])
        {
            if (r % 2 == 0) continue;
            var eh = _handlers[r / 2];
            int hs = _index[eh.HandlerStart.Offset];
            bool filter = eh.HandlerType == ExceptionHandlerType.Filter && i < hs;
            int start = filter ? _index[eh.FilterStart.Offset] : hs;
            int end = filter ? hs : eh.HandlerEnd == null ? _ins.Length : _index[eh.HandlerEnd.Offset];
            if (end - start < bestLength) { bestLength = end - start; best = (eh, r, filter); }
        }
        return best;
    }

    /// <summary>Is instruction <paramref name="i"/> inside a try block that lies within handler region <paramref name="handler"/>?</summary>
    private bool InTryWithin(int i, int handler)
    {
        var eh = _handlers[handler / 2];
        int hs = eh.HandlerType == ExceptionHandlerType.Filter && i < _index[eh.HandlerStart.Offset] ? _index[eh.FilterStart.Offset] : _index[eh.HandlerStart.Offset];
        foreach (int r in _regions[i])
            if (r % 2 == 0 && r / 2 != handler / 2 && _index[_handlers[r / 2].TryStart.Offset] >= hs) return true;
        return false;
    }

    private bool IsInFilter(int i)
    {
        foreach (int r in _regions[i])
        {
            if (r % 2 == 0) continue;
            var eh = _handlers[r / 2];
            if (eh.HandlerType == ExceptionHandlerType.Filter && i < _index[eh.HandlerStart.Offset]) return true;
        }
        return false;
    }

    private bool InCatchTry(int i)
    {
        foreach (int r in _regions[i])
            if (r % 2 == 0 && _handlers[r / 2].HandlerType is ExceptionHandlerType.Catch or ExceptionHandlerType.Filter) return true;
        return false;
    }

    // Where each finally handler's endfinally continues on the normal path: the leave targets (or
    // the next finally out) of the leaves that run it. A leave does not jump straight to its
    // target: it runs the finally handlers of the try blocks it exits, innermost first, so what
    // they release (a Close in a finally, a `using`, a `lock`) is released on the way.
    private readonly Dictionary<int, HashSet<int>> _finallyExits = new();

    private bool LeaveThroughFinally(int target, State s)
    {
        int first = -1, previous = -1;
        foreach (int r in _regions[_cur])
        {
            if (r % 2 != 0) continue;                                   // a try region only
            var eh = _handlers[r / 2];
            if (eh.HandlerType != ExceptionHandlerType.Finally) continue;
            if (Array.IndexOf(_regions[target], r) >= 0) continue;     // the leave stays inside it
            int start = _index[eh.HandlerStart.Offset];
            if (first < 0) first = start;
            else AddFinallyExit(previous, start);
            previous = r / 2;
        }
        if (first < 0) return false;
        AddFinallyExit(previous, target);
        // This path's own continuations: a frame per finally it runs, the innermost on top (only
        // where paths are kept apart: elsewhere every path of a finally goes to all its exits).
        if (_flagLocals == null) { MergeInto(first, s); return true; }
        var chain = new List<(int Handler, int Next)>();
        foreach (int r in _regions[_cur])
        {
            if (r % 2 != 0) continue;
            var eh = _handlers[r / 2];
            if (eh.HandlerType != ExceptionHandlerType.Finally || Array.IndexOf(_regions[target], r) >= 0) continue;
            if (chain.Count > 0) chain[^1] = (chain[^1].Handler, _index[eh.HandlerStart.Offset]);
            chain.Add((r / 2, target));
        }
        for (int k = chain.Count - 1; k >= 0; k--) s.Cont = PushCont(s.Cont, chain[k].Handler, chain[k].Next);
        MergeInto(first, s);
        return true;
    }

    private void AddFinallyExit(int handler, int continuation)
    {
        if (!_finallyExits.TryGetValue(handler, out var exits)) _finallyExits[handler] = exits = new();
        if (!exits.Add(continuation)) return;
        // A new way out: walk the handler again so its endfinally flows there too. Every block of
        // it, not only its start: a walk from the start stops at a join inside the handler whose
        // state does not change, and the endfinally after it would never flow to the new exit
        // (the code there was never verified).
        var eh = _handlers[handler];
        int start = _index[eh.HandlerStart.Offset];
        int end = eh.HandlerEnd == null ? _ins.Length : _index[eh.HandlerEnd.Offset];
        for (int j = start; j < end; j++)
            if (j == start || _join[j])
                for (var d = _at[j]; d != null; d = d.Next) if (d.Cont == ContUnknown) Enqueue(j, d);
    }

    private void FinallyContinues(State s)
    {
        if (InnermostHandler(_cur) is not { } h || h.Clause.HandlerType is not (ExceptionHandlerType.Finally or ExceptionHandlerType.Fault)) return;
        int handler = h.Region / 2;
        int save = _cur;
        if (s.Cont > 0 && _contFrames[s.Cont].Handler == handler)
        {
            var f = _contFrames[s.Cont];
            s.Cont = f.Parent;
            if (f.Next == Unwind) Unwinds(handler, s);
            else MergeInto(f.Next, s);
            _cur = save;
            return;
        }
        // Paths whose continuations were merged (past the bound): every exit of the handler.
        if (h.Clause.HandlerType != ExceptionHandlerType.Finally || !_finallyExits.TryGetValue(handler, out var exits)) return;
        s.Cont = ContUnknown;
        foreach (int c in exits.ToArray()) { MergeInto(c, s); _cur = save; }
    }

    /// <summary>
    /// A finally or fault handler entered by an exception ended: the exception goes on to the next
    /// handler out. A finally or fault there runs with what this path still owns; a catch may
    /// handle it (its state comes from the protected region); with none, the exception leaves the
    /// method, and what the path still owns leaks.
    /// </summary>
    private void Unwinds(int handler, State s)
    {
        var eh = _handlers[handler];
        int hs = _index[eh.HandlerStart.Offset];
        int ts = _index[eh.TryStart.Offset];
        int best = -1, bestLength = int.MaxValue;
        foreach (int r in _regions[hs])
        {
            if (r % 2 != 0 || r / 2 == handler) continue;
            var o = _handlers[r / 2];
            int os = _index[o.TryStart.Offset], oe = o.TryEnd == null ? _ins.Length : _index[o.TryEnd.Offset];
            if (os > ts || os >= hs) continue;                 // a try inside the handler is not outside it
            if (oe - os < bestLength) { bestLength = oe - os; best = r / 2; }
        }
        if (best >= 0)
        {
            var o = _handlers[best];
            if (o.HandlerType is not (ExceptionHandlerType.Finally or ExceptionHandlerType.Fault)) return;
            var next = s.Clone();
            next.N = 0;
            next.Cont = PushCont(s.Cont, best, Unwind);
            MergeInto(_index[o.HandlerStart.Offset], next, handler: true);
            return;
        }
        // The exception leaves the method. What the handler itself works with (a local or argument
        // it reads: `if (!sent) b.Free();`) it has taken charge of, and what it leaves owned leaks;
        // values it never names are checked where they are thrown past (throw), as elsewhere.
        if (s.Own == null) return;
        // The handlers this exception ran through are this one and those nested in its try block:
        // what any of them names was let through its throw (ThrowPastFinally), so it is checked here.
        int te = eh.TryEnd == null ? _ins.Length : _index[eh.TryEnd.Offset];
        var ids = new HashSet<int>();
        for (int k = 0; k < _handlers.Count; k++)
        {
            var o = _handlers[k];
            if (k != handler && (o.HandlerType is not (ExceptionHandlerType.Finally or ExceptionHandlerType.Fault)
                || _index[o.TryStart.Offset] < ts || (o.HandlerEnd == null ? _ins.Length : _index[o.HandlerEnd.Offset]) > te)) continue;
            ids.UnionWith(SlotIds(s, k));
        }
        foreach (int id in ids)
        {
            if (!s.Own.TryGetValue(id, out byte b) || (b & Owned) == 0 || IsAffineId(id)) continue;
            Report(Codes.Leak, $"the {TrackName(id)} from {Origin(id)} is {((b & ~Mixed) == Owned ? "still owned" : "still owned on some path")} at the end of the finally handler at IL_{eh.HandlerStart.Offset:x4} on an exception's path (the exception leaves the method; a call that may throw was made while it was owned and the handler does not release it): it leaks");
        }
    }

    /// <summary>The tracked ids state <paramref name="s"/> holds in the locals and arguments handler <paramref name="handler"/> reads.</summary>
    private HashSet<int> SlotIds(State s, int handler)
    {
        var (locals, args) = HandlerSlots(handler);
        var ids = new HashSet<int>();
        foreach (int l in locals) if (l < s.L.Length && IsValueSlot(s.L[l]) && s.L[l].Track != 0) ids.Add(s.L[l].Track);
        foreach (int a in args) if (a < s.A.Length && IsValueSlot(s.A[a]) && s.A[a].Track != 0) ids.Add(s.A[a].Track);
        return ids;
    }

    /// <summary>
    /// A throw no catch may handle: the finally and fault handlers around it run on the way out of
    /// the method. What one of them names (`finally { if (!sent) b.Free(); }`, a `using`) goes into
    /// them with the exception (FlowExceptional) and is checked where the exception leaves the
    /// method (Unwinds); everything else the path owns leaks here, at the throw.
    /// </summary>
    private void ThrowPastFinally(State s)
    {
        var named = new HashSet<int>();
        foreach (int r in _regions[_cur])
            if (r % 2 == 0 && _handlers[r / 2].HandlerType is ExceptionHandlerType.Finally or ExceptionHandlerType.Fault)
                named.UnionWith(SlotIds(s, r / 2));
        CheckLeaks(s, 0, "this throw", named);
        if (named.Count > 0) FlowExceptional(s);
    }

    private readonly Dictionary<int, (HashSet<int> Locals, HashSet<int> Args)> _handlerSlots = new();

    /// <summary>The locals and arguments a handler's own code reads (ldloc, ldloca, ldarg, ldarga).</summary>
    private (HashSet<int> Locals, HashSet<int> Args) HandlerSlots(int handler)
    {
        if (_handlerSlots.TryGetValue(handler, out var r)) return r;
        r = (new HashSet<int>(), new HashSet<int>());
        var eh = _handlers[handler];
        int start = _index[eh.HandlerStart.Offset], end = eh.HandlerEnd == null ? _ins.Length : _index[eh.HandlerEnd.Offset];
        for (int j = start; j < end; j++)
        {
            var ins = _ins[j];
            switch (ins.OpCode.Code)
            {
                case Code.Ldloc_0: r.Locals.Add(0); break;
                case Code.Ldloc_1: r.Locals.Add(1); break;
                case Code.Ldloc_2: r.Locals.Add(2); break;
                case Code.Ldloc_3: r.Locals.Add(3); break;
                case Code.Ldloc: case Code.Ldloc_S: case Code.Ldloca: case Code.Ldloca_S:
                    if (ins.Operand is VariableDefinition v) r.Locals.Add(v.Index);
                    break;
                case Code.Ldarg_0: r.Args.Add(0); break;
                case Code.Ldarg_1: r.Args.Add(1); break;
                case Code.Ldarg_2: r.Args.Add(2); break;
                case Code.Ldarg_3: r.Args.Add(3); break;
                case Code.Ldarg: case Code.Ldarg_S: case Code.Ldarga: case Code.Ldarga_S:
                    if (ins.Operand is ParameterDefinition p) r.Args.Add(p.Index == -1 ? 0 : p.Index + (_m.HasThis ? 1 : 0));
                    break;
            }
        }
        _handlerSlots[handler] = r;
        return r;
    }

    /// <summary>
    /// A call that may throw (user code of this module, or a generated send) sends what the path
    /// owns at the call into the innermost finally or fault handler around it, unless a catch is
    /// nearer (it may handle the exception).
    /// </summary>
    private void FlowExceptional(State s)
    {
        if (_regions[_cur].Length == 0) return;
        int best = -1, bestLength = int.MaxValue;
        foreach (int r in _regions[_cur])
        {
            if (r % 2 != 0) continue;
            var eh = _handlers[r / 2];
            int ts = _index[eh.TryStart.Offset], te = eh.TryEnd == null ? _ins.Length : _index[eh.TryEnd.Offset];
            if (te - ts < bestLength) { bestLength = te - ts; best = r / 2; }
        }
        if (best < 0) return;
        var h = _handlers[best];
        if (h.HandlerType is not (ExceptionHandlerType.Finally or ExceptionHandlerType.Fault)) return;
        var hs = s.Clone();
        hs.N = 0;
        hs.Cont = PushCont(s.Cont, best, Unwind);
        int save = _cur;
        MergeInto(_index[h.HandlerStart.Offset], hs, handler: true);
        _cur = save;
    }
}

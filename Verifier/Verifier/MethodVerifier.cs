using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>
/// The data-flow pass over one method body (ECMA-335 Partition III): every stack slot, local and
/// argument gets a verification type; states merge at join points until a fixed point; each
/// instruction checks its operands. The same pass follows tracked values (exchange-heap blocks,
/// endpoints) for the ownership rules: each value is an id (its producing instruction) whose
/// state is a set of {owned, transferred}.
/// </summary>
internal sealed class MethodVerifier
{
    private const byte Owned = 1, Transferred = 2, Borrowed = 4;
    /// <summary>An id some of whose slots may be null where others hold the value: a null test of one says nothing about the others.</summary>
    private const byte Mixed = 8;
    /// <summary>Home of a byref parameter: memory of the caller (a store there hands ownership to the caller).</summary>
    private const int CallerHome = int.MinValue;

    private sealed class State
    {
        public V[] S;
        public int N;
        public V[] A;
        public V[] L;
        public bool ThisInit;
        public Dictionary<int, byte> Own;

        public State Clone()
        {
            var c = new State { S = (V[])S.Clone(), N = N, A = (V[])A.Clone(), L = (V[])L.Clone(), ThisInit = ThisInit };
            if (Own != null) c.Own = new Dictionary<int, byte>(Own);
            return c;
        }
    }

    private sealed class Abort : Exception { }

    private readonly AssemblyVerifier _av;
    private readonly TypeSystem _ts;
    private readonly Tracking _tr;
    private readonly MethodDefinition _m;
    private readonly MethodBody _body;
    private readonly Instruction[] _ins;
    private readonly Dictionary<int, int> _index = new();   // offset -> instruction index
    private readonly State[] _at;                           // stored states at join points
    private readonly bool[] _join;
    private readonly TypeReference[] _argTypes;
    private readonly bool _ctorOfClass;
    private readonly HashSet<(string, int)> _reported = new();
    private readonly Dictionary<int, TypeReference> _trackType = new();
    private readonly List<ExceptionHandler> _handlers;
    private readonly int[][] _regions;                      // per instruction: the ids of enclosing regions (try/handler)
    private readonly Prefixes[] _prefixes;                  // per instruction: the prefixes it carries (none for a prefix itself)
    private readonly bool[] _afterPrefix;                   // per instruction: it follows a prefix (part of one instruction: not a branch target)
    private readonly bool _thisTracked;                     // 'this' keeps its identity: a class's instance method that never stores to or takes the address of argument 0
    private int _cur;

    /// <summary>The prefixes of one instruction (III.2).</summary>
    private struct Prefixes
    {
        public TypeReference Constrained;
        public bool ReadOnly, Tail, Volatile, Unaligned;
    }

    public MethodVerifier(AssemblyVerifier av, MethodDefinition m)
    {
        _av = av; _ts = av.Types; _tr = av.Tracking; _m = m; _body = m.Body;
        _ins = _body.Instructions.ToArray();
        for (int i = 0; i < _ins.Length; i++) _index[_ins[i].Offset] = i;
        _at = new State[_ins.Length];
        _join = new bool[_ins.Length];
        int n = m.Parameters.Count + (m.HasThis ? 1 : 0);
        _argTypes = new TypeReference[n];
        int k = 0;
        if (m.HasThis) _argTypes[k++] = m.DeclaringType.IsValueType ? new ByReferenceType(SelfType()) : SelfType();
        foreach (var p in m.Parameters) _argTypes[k++] = p.ParameterType;
        _ctorOfClass = m.IsConstructor && !m.IsStatic && !m.DeclaringType.IsValueType && _ts.Key(m.DeclaringType) != "System.Object";
        _handlers = _body.HasExceptionHandlers ? _body.ExceptionHandlers.ToList() : new List<ExceptionHandler>();
        _regions = new int[_ins.Length][];
        _prefixes = new Prefixes[_ins.Length];
        _afterPrefix = new bool[_ins.Length];
        // III.3.19: 'this' is the result of ldarg.0 in a method whose body has no starg 0 or ldarga 0.
        _thisTracked = m.HasThis && !m.DeclaringType.IsValueType && !_ins.Any(i => i.OpCode.Code is Code.Starg or Code.Starg_S or Code.Ldarga or Code.Ldarga_S && IsArgZero(i));
    }

    private bool IsArgZero(Instruction i) => i.Operand switch { ParameterDefinition p => p.Index == -1 || (p.Index == 0 && !_m.HasThis), int n => n == 0, sbyte b => b == 0, byte u => u == 0, _ => false };

    private TypeReference SelfType()
    {
        var t = _m.DeclaringType;
        if (!t.HasGenericParameters) return t;
        var g = new GenericInstanceType(t);
        foreach (var p in t.GenericParameters) g.GenericArguments.Add(p);
        return g;
    }

    // ----- reporting --------------------------------------------------------------------------

    private void Report(string code, string message, int? offset = null)
    {
        int off = offset ?? (_cur >= 0 && _cur < _ins.Length ? _ins[_cur].Offset : 0);
        if (_reported.Add((code, off))) _av.Report(code, _m, off, message);
    }

    private Exception Fail(string code, string message)
    {
        Report(code, message);
        return new Abort();
    }

    // ----- entry ------------------------------------------------------------------------------

    public void Run()
    {
        if (_ins.Length == 0) { Report(Codes.FallThrough, "empty method body", 0); return; }
        if (_body.Variables.Count > 0 && !_body.InitLocals)
            Report(Codes.SkipLocalsInit, "method has locals but no localsinit flag (SkipLocalsInit): locals could be read uninitialised", 0);

        ScanPrefixes();
        ComputeRegionsAndJoins();
        if (!CheckRegions()) return;

        var entry = new State { S = new V[Math.Max(_body.MaxStackSize, 1) + 1], A = new V[_argTypes.Length], L = new V[_body.Variables.Count], ThisInit = !_ctorOfClass };
        for (int i = 0; i < _argTypes.Length; i++)
        {
            entry.A[i] = FromType(_argTypes[i]);
            if (entry.A[i].K == VK.ByRef && i == 0 && _m.HasThis)
            {
                entry.A[i].F |= VF.Local; entry.A[i].Home = -1;   // a struct's this is scoped
                // A readonly member (or a member of a readonly struct) may be called through a read-only reference: its 'this' is read-only.
                if (!_m.IsConstructor && IsReadOnlyMember(_m)) entry.A[i].F |= VF.ReadOnly;
            }
            else if (entry.A[i].K == VK.ByRef)
            {
                entry.A[i].Home = CallerHome;
                // An [in] (or ref readonly) parameter may be a read-only reference of the caller's: never written here.
                if (IsInParam(_m, _m.HasThis ? i - 1 : i)) entry.A[i].F |= VF.ReadOnly;
            }
            if (_tr.IsTracked(_argTypes[i]) && _argTypes[i] is not ByReferenceType)
            {
                int pi = _m.HasThis ? i - 1 : i;
                // A claimed parameter is owned here; any other is borrowed from the caller.
                int id = -(i + 1);
                entry.A[i].Track = id;
                entry.Own ??= new();
                entry.Own[id] = pi >= 0 && _tr.ClaimsParameter(_m, pi) ? Owned : Borrowed;
                _trackType[id] = _argTypes[i];
            }
        }
        for (int i = 0; i < entry.L.Length; i++) { entry.L[i] = FromType(_body.Variables[i].VariableType); entry.L[i].Track = 0; }

        var work = new Stack<int>();
        _at[0] = entry; work.Push(0);
        foreach (var h in _handlers)
        {
            // Handler entry states are created by merges from the protected region.
        }
        var queued = new bool[_ins.Length];
        queued[0] = true;
        // A safety net: the merges are monotone and reach a fixed point, but a method must never
        // keep the verifier busy for ever. Past this many block visits (it scales with the method)
        // the method is refused with SV0219.
        long limit = _av.Options.MaxBlockVisits > 0 ? _av.Options.MaxBlockVisits : MaxVisits(_ins.Length, _body.Variables.Count + _argTypes.Length);
        long visits = 0;
        while (work.Count > 0)
        {
            if (++visits > limit)
            {
                Report(Codes.NoFixedPoint, $"the data-flow pass did not reach a fixed point within {limit} block visits ({_ins.Length} instructions): the method is refused (simplify its loops)", 0);
                return;
            }
            int i = work.Pop();
            queued[i] = false;
            var st = _at[i].Clone();
            try { RunBlock(i, st, work, queued); }
            catch (Abort) { }
        }
        // Unreachable handlers and code are not verified (they never run); that is ECMA's rule too.
    }

    // ----- prefixes (III.2) ---------------------------------------------------------------------
    //
    // A prefix and the instruction it prefixes are one instruction: the prefixes are attached to
    // that instruction here, once, and the instruction after a prefix is not a valid branch target
    // (III.1.7.2), so no path reaches it without its prefixes, and none with another's.

    private static bool IsPrefix(Code c) => c is Code.Constrained or Code.Readonly or Code.Tail or Code.Volatile or Code.Unaligned or Code.No;

    private void ScanPrefixes()
    {
        var pending = new Prefixes();
        var seen = new List<Code>();
        for (int i = 0; i < _ins.Length; i++)
        {
            var ins = _ins[i];
            var c = ins.OpCode.Code;
            if (IsPrefix(c))
            {
                if (i + 1 < _ins.Length) _afterPrefix[i + 1] = true;
                if (seen.Contains(c)) Report(Codes.Prefix, $"{ins.OpCode.Name} twice on one instruction", ins.Offset);
                seen.Add(c);
                switch (c)
                {
                    case Code.Constrained: pending.Constrained = ins.Operand as TypeReference; if (pending.Constrained != null) _av.CheckTypeUse(_m, ins.Offset, pending.Constrained); break;
                    case Code.Readonly: pending.ReadOnly = true; break;
                    case Code.Tail: pending.Tail = true; break;
                    case Code.Volatile: pending.Volatile = true; break;
                    case Code.Unaligned:
                        pending.Unaligned = true;
                        if (ins.Operand is not (byte)1 and not (byte)2 and not (byte)4) Report(Codes.Prefix, $"unaligned. {ins.Operand}: the alignment must be 1, 2 or 4", ins.Offset);
                        break;
                    case Code.No: Report(Codes.UnverifiableOpcode, "the no. prefix skips the instruction's type, range or null checks (unverifiable)", ins.Offset); break;
                }
                if (i + 1 == _ins.Length) Report(Codes.Prefix, $"{ins.OpCode.Name} prefixes no instruction (it ends the method)", ins.Offset);
                continue;
            }
            foreach (var p in seen)
            {
                int at = i - seen.Count + seen.IndexOf(p);
                if (!MayPrefix(p, ins, i)) Report(Codes.Prefix, $"{_ins[at].OpCode.Name} does not apply to {ins.OpCode.Name}{(p == Code.Tail && IsCallOp(c) ? " (a tail. call must be followed by ret)" : "")}", _ins[at].Offset);
            }
            _prefixes[i] = pending;
            pending = new Prefixes();
            seen.Clear();
        }
    }

    private static bool IsCallOp(Code c) => c is Code.Call or Code.Callvirt or Code.Calli;

    /// <summary>May prefix <paramref name="p"/> precede instruction <paramref name="i"/> (III.2.1-III.2.6)?</summary>
    private bool MayPrefix(Code p, Instruction ins, int i)
    {
        var c = ins.OpCode.Code;
        string n = ins.OpCode.Name;
        bool memory = n.StartsWith("ldind.", StringComparison.Ordinal) || n.StartsWith("stind.", StringComparison.Ordinal) || c is Code.Ldfld or Code.Stfld or Code.Ldobj or Code.Stobj or Code.Initblk or Code.Cpblk;
        return p switch
        {
            Code.Constrained => c == Code.Callvirt,
            Code.Readonly => c == Code.Ldelema || (c == Code.Call && ins.Operand is MethodReference { Name: "Address" } m && TypeSystem.Strip(m.DeclaringType) is ArrayType),
            Code.Tail => IsCallOp(c) && i + 1 < _ins.Length && _ins[i + 1].OpCode.Code == Code.Ret,
            Code.Volatile => memory || c is Code.Ldsfld or Code.Stsfld,
            Code.Unaligned => memory,
            Code.No => true,    // refused as a whole above
            _ => false,
        };
    }

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

    /// <summary>The bound on block visits for a method of <paramref name="instructions"/> instructions and <paramref name="slots"/> locals and arguments.</summary>
    public static long MaxVisits(int instructions, int slots) => 20_000 + 64L * instructions * (4 + Math.Min(slots, 60));

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

    // ----- the block walk ---------------------------------------------------------------------

    /// <summary>Opcodes that may change locals, arguments or ownership (the state a handler sees).</summary>
    private static readonly bool[] Mutates = BuildMutates();

    private static bool[] BuildMutates()
    {
        var t = new bool[512];
        foreach (Code c in Enum.GetValues<Code>())
        {
            string n = c.ToString();
            if (n.StartsWith("Stloc") || n.StartsWith("Starg") || n.StartsWith("Stind") || n.StartsWith("Stelem") || n.StartsWith("Brtrue") || n.StartsWith("Brfalse")
                || c is Code.Stobj or Code.Initobj or Code.Cpobj or Code.Call or Code.Callvirt or Code.Newobj or Code.Stfld or Code.Stsfld or Code.Box)
                t[(int)c] = true;
        }
        return t;
    }

    private void RunBlock(int i, State st, Stack<int> work, bool[] queued)
    {
        bool dirty = true;
        while (true)
        {
            _cur = i;
            // States inside a protected region flow into its handlers (stack: the exception or nothing),
            // whenever they may have changed since the last flow.
            if (_regions[i].Length > 0 && (dirty || !SameRegions(i, i - 1))) FlowToHandlers(i, st, work, queued);
            var ins = _ins[i];
            dirty = Mutates[(int)ins.OpCode.Code];
            bool fallsThrough = Step(ins, st, work, queued);
            if (!fallsThrough) return;
            int next = i + 1;
            if (next >= _ins.Length) throw Fail(Codes.FallThrough, "control falls off the end of the method");
            if (!SameRegions(i, next))
            {
                _cur = i;
                if (!BranchAllowed(i, next, false)) throw Fail(Codes.ExceptionRegion, "control falls through into or out of a protected region or handler");
                if (st.N != 0) throw Fail(Codes.ExceptionRegion, "the stack must be empty when entering a try block");
            }
            if (_join[next]) { MergeInto(next, st, work, queued); return; }
            i = next;
        }
    }

    private void FlowToHandlers(int i, State st, Stack<int> work, bool[] queued)
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
            if (eh.HandlerType is ExceptionHandlerType.Finally or ExceptionHandlerType.Fault) hs.Own = null;
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
                MergeInto(entry, hs, work, queued, handler: true);
            }
        }
    }

    private void MergeInto(int target, State st, Stack<int> work, bool[] queued, bool handler = false)
    {
        var old = _at[target];
        if (old == null)
        {
            var c = st.Clone();
            DropDead(c);
            _at[target] = c;
            if (!queued[target]) { queued[target] = true; work.Push(target); }
            return;
        }
        int save = _cur;
        if (old.N != st.N) { Report(Codes.StackMerge, $"stack height {st.N} differs from {old.N} at the join IL_{_ins[target].Offset:x4}"); throw new Abort(); }
        // III.1.8.1.4: whether the base constructor ran is known at every instruction (it runs once, on every path).
        if (old.ThisInit != st.ThisInit) { Report(Codes.Uninitialized, $"the paths joining at IL_{_ins[target].Offset:x4} disagree on whether the base constructor ran"); throw new Abort(); }
        bool tracks = HasTracks(old) || HasTracks(st);
        // Types first (the tracked ids are decided below, from both sides at once).
        var ms = tracks ? new V[old.S.Length] : null;
        var ma = tracks ? new V[old.A.Length] : null;
        var ml = tracks ? new V[old.L.Length] : null;
        bool changed = false;
        for (int k = 0; k < st.N; k++)
        {
            var m = MergeSlot(old.S[k], st.S[k], out bool ok);
            if (!ok) { Report(Codes.StackMerge, $"stack slot {k} has incompatible types {Show(old.S[k])} and {Show(st.S[k])} at the join IL_{_ins[target].Offset:x4}"); throw new Abort(); }
            if (tracks) ms[k] = m;
            else if (!SameSlot(m, old.S[k])) { old.S[k] = m; changed = true; }
        }
        for (int k = 0; k < st.A.Length; k++)
        {
            var m = MergeVar(old.A[k], st.A[k]);
            if (tracks) ma[k] = m;
            else if (!SameSlot(m, old.A[k])) { old.A[k] = m; changed = true; }
        }
        for (int k = 0; k < st.L.Length; k++)
        {
            var m = MergeVar(old.L[k], st.L[k]);
            if (tracks) ml[k] = m;
            else if (!SameSlot(m, old.L[k])) { old.L[k] = m; changed = true; }
        }
        if (tracks && MergeOwnership(target, old, st, ms, ma, ml)) changed = true;
        _cur = save;
        if (changed && !queued[target]) { queued[target] = true; work.Push(target); }
    }

    private static bool HasTracks(State s)
    {
        if (s.Own != null && s.Own.Count > 0) return true;
        for (int i = 0; i < s.N; i++) if (s.S[i].Track != 0) return true;
        foreach (var v in s.A) if (v.Track != 0) return true;
        foreach (var v in s.L) if (v.Track != 0) return true;
        return false;
    }

    // ----- tracked ids at joins -----------------------------------------------------------------
    //
    // A tracked id names one value on every path: an instruction's id is the last value that
    // instruction produced, a parameter's id the value passed in, and an id minted at a join J the
    // value its slots held at the last passage through J. At a join the slots are grouped by the
    // pair (id on the join's side, id on the incoming side): slots with the same pair hold the same
    // value on both paths and get one id (the incoming side's ids minted at J itself name the
    // previous passage's values, so they are renamed first and never confused with this passage's).
    // Each group's ownership is the union of its two sources'. Ids no slot names any more take no
    // part: a value that is not owned and that nothing names cannot be used again, and a value that
    // is owned and that nothing names is a leak (kept, so that the return or throw reports it).

    private const int MintBase = 0x40000000;
    private readonly Dictionary<long, int> _mintKeys = new();
    private readonly List<int> _mintTarget = new();     // per minted id: its join, or -1 (a renamed id)

    private int Intern(long key, int target, int source)
    {
        if (_mintKeys.TryGetValue(key, out int id)) return id;
        id = MintBase + _mintTarget.Count;
        _mintTarget.Add(target);
        _mintKeys[key] = id;
        if (source != 0 && _trackType.TryGetValue(source, out var t)) _trackType[id] = t;
        return id;
    }

    private int Mint(int target, int slot, int source) => Intern(((long)target << 20) | (uint)slot, target, source);
    private int PrevOf(int id) => Intern((1L << 60) | (uint)id, -1, id);
    private int StaleOf(int id) => Intern((2L << 60) | (uint)id, -1, id);
    private bool IsMintOf(int id, int target) => id >= MintBase && _mintTarget[id - MintBase] == target;
    private bool IsRenamed(int id) => id >= MintBase && _mintTarget[id - MintBase] < 0;

    private static bool IsValueSlot(V v) => v.K is VK.Ref or VK.Val or VK.Null;

    /// <summary>Does a value slot (stack, argument or local) of <paramref name="s"/> hold <paramref name="id"/>?</summary>
    private static bool Names(State s, int id)
    {
        if (id == 0) return false;
        for (int i = 0; i < s.N; i++) if (s.S[i].Track == id && IsValueSlot(s.S[i])) return true;
        foreach (var v in s.A) if (v.Track == id && IsValueSlot(v)) return true;
        foreach (var v in s.L) if (v.Track == id && IsValueSlot(v)) return true;
        return false;
    }

    /// <summary>Forgets the ids no slot names that are not owned (they cannot matter any more).</summary>
    private static void DropDead(State s)
    {
        if (s.Own == null || s.Own.Count == 0) return;
        List<int> dead = null;
        foreach (var (id, b) in s.Own) if ((b & Owned) == 0 && !Names(s, id)) (dead ??= new()).Add(id);
        if (dead != null) foreach (int id in dead) s.Own.Remove(id);
    }

    /// <summary>
    /// Computes the tracked ids of the merged slots (<paramref name="ms"/>, <paramref name="ma"/>,
    /// <paramref name="ml"/>, types already merged) and their ownership; stores them into
    /// <paramref name="old"/> and returns whether anything changed.
    /// </summary>
    private bool MergeOwnership(int target, State old, State st, V[] ms, V[] ma, V[] ml)
    {
        var groups = new Dictionary<(int, int), int>();
        var own = new Dictionary<int, byte>();
        HashSet<int> usedOld = new(), usedNew = new();
        int Rn(int id) => id != 0 && IsMintOf(id, target) ? PrevOf(id) : id;

        var byOld = new Dictionary<int, int>();
        var byNew = new Dictionary<int, int>();
        // Pass 1: slots that hold a value on both sides (or the same id on both).
        // Pass 2: slots that hold a value on one side only (null or nothing on the other) join a
        // group holding the same value on that side when there is one ("the value or nothing"),
        // which then is Mixed: some of its slots may be null where others are not.
        void Value(ref V m, in V a, in V b, int slot, bool second)
        {
            if (!IsValueSlot(m)) return;
            int x = a.Track, y = Rn(b.Track);
            if (x == 0 && y == 0) { m.Track = 0; return; }
            bool oneSided = x != y && (x == 0 || y == 0);
            if (oneSided != second) return;
            byte mixed = 0;
            if (!groups.TryGetValue((x, y), out int id))
            {
                if (x == y) id = x;
                else if (!oneSided) id = Mint(target, slot, x);
                else if (y == 0 && byOld.TryGetValue(x, out id)) mixed = Mixed;
                else if (x == 0 && byNew.TryGetValue(y, out id)) mixed = Mixed;
                else if (y == 0) id = x;
                else if (!IsRenamed(y)) id = y;
                else id = Mint(target, slot, b.Track);
                groups[(x, y)] = id;
                if (x != 0) byOld.TryAdd(x, id);
                if (y != 0) byNew.TryAdd(y, id);
                byte bits = mixed;
                if (x != 0) { usedOld.Add(x); if (old.Own != null && old.Own.TryGetValue(x, out byte o)) bits |= o; }
                if (y != 0) { usedNew.Add(b.Track); if (st.Own != null && st.Own.TryGetValue(b.Track, out byte o)) bits |= o; }
                if (bits != 0) { own.TryGetValue(id, out byte e); own[id] = (byte)(e | bits); }
            }
            m.Track = id;
        }
        void Other(ref V m, in V a, in V b)
        {
            if (IsValueSlot(m)) return;
            if (a.Track == 0 && b.Track == 0) { m.Track = 0; m.F &= ~VF.NullTest; return; }
            if (groups.TryGetValue((a.Track, Rn(b.Track)), out int id)) m.Track = id;
            else { m.Track = 0; m.F &= ~VF.NullTest; }
        }

        for (int pass = 0; pass < 2; pass++)
        {
            for (int k = 0; k < st.N; k++) Value(ref ms[k], old.S[k], st.S[k], k, pass == 1);
            for (int k = 0; k < st.A.Length; k++) Value(ref ma[k], old.A[k], st.A[k], 1000 + k, pass == 1);
            for (int k = 0; k < st.L.Length; k++) Value(ref ml[k], old.L[k], st.L[k], 2000 + k, pass == 1);
        }
        for (int k = 0; k < st.N; k++) Other(ref ms[k], old.S[k], st.S[k]);
        for (int k = 0; k < st.A.Length; k++) Other(ref ma[k], old.A[k], st.A[k]);
        for (int k = 0; k < st.L.Length; k++) Other(ref ml[k], old.L[k], st.L[k]);

        // Values nothing names any more: an owned one is a leak still to report; the rest are gone.
        if (old.Own != null)
            foreach (var (id, b) in old.Own)
                if ((b & Owned) != 0 && !usedOld.Contains(id)) { own.TryGetValue(id, out byte e); own[id] = (byte)(e | b); }
        if (st.Own != null)
            foreach (var (id, b) in st.Own)
                if ((b & Owned) != 0 && !usedNew.Contains(id)) { int r = Rn(id); own.TryGetValue(r, out byte e); own[r] = (byte)(e | b); }

        bool changed = false;
        for (int k = 0; k < st.N; k++) if (!SameSlot(ms[k], old.S[k])) { old.S[k] = ms[k]; changed = true; }
        for (int k = 0; k < st.A.Length; k++) if (!SameSlot(ma[k], old.A[k])) { old.A[k] = ma[k]; changed = true; }
        for (int k = 0; k < st.L.Length; k++) if (!SameSlot(ml[k], old.L[k])) { old.L[k] = ml[k]; changed = true; }
        if (!SameOwn(old.Own, own)) { old.Own = own; changed = true; }
        return changed;
    }

    private static bool SameOwn(Dictionary<int, byte> a, Dictionary<int, byte> b)
    {
        int na = a?.Count ?? 0, nb = b?.Count ?? 0;
        if (na != nb) return false;
        if (na == 0) return true;
        foreach (var (id, x) in a) if (!b.TryGetValue(id, out byte y) || x != y) return false;
        return true;
    }

    private static bool SameSlot(V a, V b) => a.K == b.K && a.F == b.F && a.Home == b.Home && a.Track == b.Track && a.Id == b.Id && ReferenceEquals(a.T, b.T) && ReferenceEquals(a.M, b.M);

    private V MergeVar(V a, V b)
    {
        var r = a;
        r.F = MergeReadOnly(a.F, b.F, a.F | b.F);
        if (a.Home != b.Home) r.Home = 0;
        return r;
    }

    /// <summary>A merged byref is read-only "as an array element only" when every read-only side is.</summary>
    private static VF MergeReadOnly(VF a, VF b, VF merged)
    {
        bool ro = ((a | b) & VF.ReadOnly) != 0;
        bool elem = ro && ((a & VF.ReadOnly) == 0 || (a & VF.ElementRO) != 0) && ((b & VF.ReadOnly) == 0 || (b & VF.ElementRO) != 0);
        return elem ? merged | VF.ElementRO : merged & ~VF.ElementRO;
    }

    private V MergeSlot(V a, V b, out bool ok)
    {
        ok = true;
        var r = a;
        // Flags that say what a value may be (read-only, into the frame) join; flags that say what it is (this, a null test) must hold on both sides.
        r.F = (a.F | b.F) & ~(VF.NullTest | VF.This);
        r.F |= a.F & b.F & (VF.NullTest | VF.This);
        r.F = MergeReadOnly(a.F, b.F, r.F);
        if (a.Home != b.Home) r.Home = 0;
        if (a.Id != b.Id) r.Id = 0;
        // Uninitialised 'this' is one value: it does not merge with any other (III.1.8.1.4).
        if (a.Is(VF.UninitThis) != b.Is(VF.UninitThis)) { ok = false; return r; }
        if (a.K == b.K)
        {
            switch (a.K)
            {
                case VK.Ref:
                    r.T = MergeRef(a.T, b.T);
                    return r;
                case VK.Val:
                    ok = _ts.Same(a.T, b.T); return r;
                case VK.ByRef:
                    ok = _ts.Same(a.T, b.T) || _ts.ReducedKey(a.T) == _ts.ReducedKey(b.T); return r;
                case VK.Ftn:
                    // Pointers to different methods merge to one no delegate accepts.
                    if (!ReferenceEquals(a.M, b.M)) r.M = null;
                    return r;
                default: return r;
            }
        }
        if (a.K == VK.Null && b.K == VK.Ref) return b with { Track = r.Track, F = r.F };
        if (a.K == VK.Ref && b.K == VK.Null) return r;
        if ((a.K == VK.I4 && b.K == VK.I) || (a.K == VK.I && b.K == VK.I4)) { r.K = VK.I; return r; }
        ok = false;
        return r;
    }

    private TypeReference MergeRef(TypeReference a, TypeReference b)
    {
        if (_ts.Same(a, b)) return a;
        if (_ts.IsAssignableRef(a, b)) return b;
        if (_ts.IsAssignableRef(b, a)) return a;
        foreach (var c in _ts.BaseChain(a))
            if (_ts.IsAssignableRef(b, c))
            {
                if (_ts.Key(c) != "System.Object") return c;
                break;
            }
        // Classes implementing a common interface merge to it (as ILVerify does).
        foreach (var i in AllInterfaces(a)) if (_ts.IsAssignableRef(b, i)) return i;
        return _ts.Object;
    }

    private IEnumerable<TypeReference> AllInterfaces(TypeReference t)
    {
        foreach (var i in _ts.InterfacesOf(t)) yield return i;
        foreach (var c in _ts.BaseChain(t))
            foreach (var i in _ts.InterfacesOf(c)) yield return i;
    }

    // ----- helpers ----------------------------------------------------------------------------

    private V FromType(TypeReference t)
    {
        t = TypeSystem.Strip(t);
        switch (t)
        {
            case ByReferenceType br: return new V { K = VK.ByRef, T = TypeSystem.Strip(br.ElementType) };
            case PointerType or FunctionPointerType: return V.Of(VK.I);
            case ArrayType: return new V { K = VK.Ref, T = t };
            case GenericParameter gp: return new V { K = VK.Val, T = t };
        }
        switch (_ts.Key(t))
        {
            case "System.Boolean": case "System.Char": case "System.SByte": case "System.Byte": case "System.Int16": case "System.UInt16": case "System.Int32": case "System.UInt32": return V.Of(VK.I4);
            case "System.Int64": case "System.UInt64": return V.Of(VK.I8);
            case "System.IntPtr": case "System.UIntPtr": return V.Of(VK.I);
            case "System.Single": case "System.Double": return V.Of(VK.F);
        }
        if (_ts.IsEnum(t, out var u)) return FromType(u);
        if (_ts.IsValueType(t)) return new V { K = VK.Val, T = t };
        return new V { K = VK.Ref, T = t };
    }

    private string Show(V v) => v.K switch
    {
        VK.Ref => v.Is(VF.UninitThis) ? "uninitialised this" : _ts.Key(v.T),
        VK.Val => _ts.Key(v.T),
        VK.ByRef => "ref " + _ts.Key(v.T),
        VK.Null => "null",
        VK.I4 => "int32",
        VK.I8 => "int64",
        VK.I => "native int",
        VK.F => "float",
        VK.Ftn => "method pointer",
        _ => "?",
    };

    private static string Show(TypeReference t) => t?.FullName ?? "?";

    private V Pop(State s)
    {
        if (s.N == 0) throw Fail(Codes.StackUnderflow, $"stack underflow ({OpName()} needs more operands)");
        return s.S[--s.N];
    }

    private V Peek(State s, int depth = 0)
    {
        if (s.N <= depth) throw Fail(Codes.StackUnderflow, $"stack underflow ({OpName()} needs more operands)");
        return s.S[s.N - 1 - depth];
    }

    private void Push(State s, V v)
    {
        if (s.N >= _body.MaxStackSize || s.N >= s.S.Length) throw Fail(Codes.StackOverflow, $"stack overflow: more than maxstack {_body.MaxStackSize} slots");
        s.S[s.N++] = v;
    }

    private void Push(State s, TypeReference t) => Push(s, FromType(t));

    private string OpName() => _ins[_cur].OpCode.Name;

    /// <summary>Can a stack value <paramref name="v"/> be stored into a location of type <paramref name="t"/> (III.1.8.1.2.3)?</summary>
    private bool Assignable(V v, TypeReference t)
    {
        var target = FromType(t);
        switch (v.K)
        {
            case VK.I4: return target.K == VK.I4 || target.K == VK.I;
            case VK.I: return target.K == VK.I || target.K == VK.I4 && false;
            case VK.I8: return target.K == VK.I8;
            case VK.F: return target.K == VK.F;
            case VK.Null: return target.K == VK.Ref;
            case VK.Ref:
                if (v.Is(VF.UninitThis)) return false;
                if (target.K == VK.Ref) return _ts.IsAssignableRef(v.T, target.T);
                return false;
            case VK.Val:
                if (target.K == VK.Val) return _ts.Same(v.T, target.T);
                return false;
            case VK.ByRef:
                if (target.K != VK.ByRef) return false;
                return _ts.Same(v.T, target.T) || _ts.ReducedKey(v.T) == _ts.ReducedKey(target.T) && FromType(v.T).K != VK.Ref;
            case VK.Ftn: return false;   // a method pointer is no number (only a delegate's newobj takes one)
            default: return false;
        }
    }

    private void Expect(V v, TypeReference t, string code, string what)
    {
        if (v.Is(VF.UninitThis)) throw Fail(Codes.Uninitialized, $"{what}: 'this' used as a value before the base constructor ran");
        if (!Assignable(v, t)) throw Fail(code, $"{what}: {Show(v)} is not assignable to {Show(t)}");
    }

    private static bool IsNumeric(VK k) => k is VK.I4 or VK.I8 or VK.I or VK.F;
    private static bool IsInteger(VK k) => k is VK.I4 or VK.I8 or VK.I;

    // ----- ownership --------------------------------------------------------------------------

    private int NewTrack(State s, int sub, TypeReference t)
    {
        int id = ((_ins[_cur].Offset + 1) << 4) | sub;
        s.Own ??= new();
        _trackType[id] = t;
        if (Names(s, id))
        {
            // A loop: a slot still holds the value this instruction produced on an earlier pass.
            // That value keeps living under another id (all older generations share one).
            int older = StaleOf(id);
            Rename(s, id, older);
            s.Own.TryGetValue(id, out byte b);
            s.Own.Remove(id);
            if (b != 0) { s.Own.TryGetValue(older, out byte e); s.Own[older] = (byte)(e | b); }
        }
        else if (s.Own.TryGetValue(id, out byte b) && (b & Owned) != 0 && !_tr.IsAffine(t))
            Report(Codes.Leak, $"the {Show(t)} produced here on an earlier pass (a loop) is still owned when this instruction makes another: the first one leaks");
        s.Own[id] = Owned;
        return id;
    }

    private static void Rename(State s, int from, int to)
    {
        for (int i = 0; i < s.N; i++) if (s.S[i].Track == from) s.S[i].Track = to;
        for (int i = 0; i < s.A.Length; i++) if (s.A[i].Track == from) s.A[i].Track = to;
        for (int i = 0; i < s.L.Length; i++) if (s.L[i].Track == from) s.L[i].Track = to;
    }

    /// <summary>
    /// A slot that held <paramref name="id"/> was overwritten: if nothing names the value any more
    /// it is gone, and if it was still owned that is a leak here.
    /// </summary>
    private void Dropped(State s, int id, string how)
    {
        if (id == 0 || s.Own == null || !s.Own.TryGetValue(id, out byte b) || Names(s, id)) return;
        if ((b & Owned) != 0 && !IsAffineId(id))
            Report(Codes.Leak, $"the {TrackName(id)} from {Origin(id)} is {((b & ~Mixed) == Owned ? "still owned" : "still owned on some path")} when {how}: it leaks (free it, send it, or store it in a TRef first)");
        s.Own.Remove(id);
    }

    /// <summary>An EndpointHandle or Message: used once, but dropping it is no leak.</summary>
    private bool IsAffineId(int id) => _trackType.TryGetValue(id, out var t) && _tr.IsAffine(t);

    private string Once(int id) => IsAffineId(id) ? " (a copy of it is the same value: a message is taken once, a channel handle wrapped or sent once)" : "";

    private string TrackName(int id) => _trackType.TryGetValue(id, out var t) ? Show(t) : "tracked value";

    private string Origin(int id) => id < 0 ? $"parameter {(_m.HasThis ? -id - 1 : -id)}" : id >= MintBase ? (IsRenamed(id) ? "an earlier pass of a loop" : "a merge of paths") : $"IL_{((id >> 4) - 1):x4}";

    /// <summary>The value is read (borrowed): it must still be owned.</summary>
    private void Use(State s, int id, string what)
    {
        if (id == 0 || s.Own == null || !s.Own.TryGetValue(id, out byte b)) return;
        if ((b & Transferred) != 0)
            Report(Codes.UseAfterTransfer, $"{what}: the {TrackName(id)} from {Origin(id)} {((b & ~Mixed) == Transferred ? "was" : "may have been")} transferred before{Once(id)}");
    }

    /// <summary>Ownership of the value ends here (a claiming call, a store into a TRef, a send, a return).</summary>
    private void Transfer(State s, int id, string what)
    {
        if (id == 0 || s.Own == null || !s.Own.TryGetValue(id, out byte b)) return;
        if ((b & Borrowed) != 0)
        {
            Report(Codes.TransferNotOwned, $"{what}: the {TrackName(id)} from {Origin(id)} is borrowed (the parameter has no [Claims]), so this method cannot give it away");
            return;
        }
        if ((b & Transferred) != 0)
            Report(Codes.DoubleTransfer, $"{what}: the {TrackName(id)} from {Origin(id)} {((b & ~Mixed) == Transferred ? "was" : "may have been")} transferred already{Once(id)}");
        s.Own[id] = (byte)(Transferred | (b & Mixed));
    }

    private void CheckLeaks(State s, int except, string where)
    {
        if (s.Own == null) return;
        foreach (var (id, b) in s.Own)
        {
            if (id == except || (b & Owned) == 0 || IsAffineId(id)) continue;
            Report(Codes.Leak, $"the {TrackName(id)} from {Origin(id)} is {((b & ~Mixed) == Owned ? "still owned" : "still owned on some path")} at {where}: it leaks (free it, send it, or store it in a TRef)");
        }
    }

    private bool IsTrackedSlot(V v) => v.K is VK.Ref or VK.Val && v.T != null && _tr.IsTracked(v.T);

    /// <summary>A store of value <paramref name="v"/> into the memory a byref <paramref name="addr"/> names.</summary>
    private void StoreThrough(State s, V addr, V v, TypeReference t)
    {
        if (addr.Is(VF.ReadOnly)) throw Fail(Codes.ByRefEscape, $"write through a readonly reference ({Show(addr)})");
        if (v.K == VK.ByRef && v.Is(VF.Local) && !addr.Is(VF.Local))
            throw Fail(Codes.ByRefEscape, "a reference to a local or argument is stored where it outlives the frame");
        if (!IsTrackedSlot(v) && !_tr.IsTracked(t)) return;
        if (addr.Home > 0) { int was = s.L[addr.Home - 1].Track; s.L[addr.Home - 1].Track = v.Track; if (was != v.Track) Dropped(s, was, $"local {addr.Home - 1} is overwritten"); return; }
        if (addr.Home == CallerHome) { Transfer(s, v.Track, "stored into an out/ref parameter"); return; }
        if (addr.Home < 0) { int was = s.A[-addr.Home - 1].Track; s.A[-addr.Home - 1].Track = v.Track; if (was != v.Track) Dropped(s, was, $"argument {-addr.Home - 1} is overwritten"); return; }
        if (addr.Is(VF.Local)) { Transfer(s, v.Track, "stored into a local structure"); return; }
        Report(Codes.StoredInHeap, $"a {Show(t)} is stored through a reference into a GC object (only a TRef may hold a tracked value)");
        Transfer(s, v.Track, "stored");
    }

    // ----- one instruction --------------------------------------------------------------------

    private bool _callNeverReturns;

    /// <summary>Executes one instruction on <paramref name="s"/>; returns whether control falls through.</summary>
    private bool Step(Instruction ins, State s, Stack<int> work, bool[] queued)
    {
        var code = ins.OpCode.Code;
        // The instruction's own prefixes (ScanPrefixes checked where each may appear).
        var pre = _prefixes[_cur];
        var constrained = pre.Constrained; bool ro = pre.ReadOnly, tail = pre.Tail;

        switch (code)
        {
            case Code.Nop: case Code.Break: return true;
            case Code.Volatile: case Code.Unaligned: case Code.No: case Code.Constrained: case Code.Readonly: case Code.Tail: return true;

            case Code.Jmp: case Code.Calli: case Code.Arglist: case Code.Localloc: case Code.Cpblk: case Code.Initblk:
            case Code.Mkrefany: case Code.Refanyval: case Code.Refanytype:
                throw Fail(Codes.UnverifiableOpcode, $"{ins.OpCode.Name} is not allowed in a SIP (unverifiable)");

            case Code.Ldarg_0: case Code.Ldarg_1: case Code.Ldarg_2: case Code.Ldarg_3: case Code.Ldarg_S: case Code.Ldarg:
            {
                int a = ArgIndex(ins);
                var v = s.A[a];
                if (a == 0 && _m.HasThis && _ctorOfClass && !s.ThisInit) v.F |= VF.UninitThis;
                if (a == 0 && _thisTracked) v.F |= VF.This;
                Push(s, v);
                return true;
            }
            case Code.Ldarga_S: case Code.Ldarga:
            {
                int a = ArgIndex(ins);
                if (s.A[a].K == VK.ByRef) throw Fail(Codes.StackType, "address of a byref argument");
                if (a == 0 && _m.HasThis && _ctorOfClass && !s.ThisInit) throw Fail(Codes.Uninitialized, "address of 'this' before the base constructor ran");
                Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(_argTypes[a]), F = VF.Local, Home = -(a + 1), Track = s.A[a].Track });
                return true;
            }
            case Code.Starg_S: case Code.Starg:
            {
                int a = ArgIndex(ins);
                if (a == 0 && _m.HasThis) throw Fail(Codes.StackType, "starg to 'this'");
                var v = Pop(s);
                Expect(v, _argTypes[a], Codes.StackType, $"starg {a}");
                var nv = s.A[a]; nv.F = v.F & (VF.Local | VF.ReadOnly | VF.ElementRO); nv.Home = v.Home; nv.Track = IsTrackedSlot(v) ? v.Track : 0;
                int was = s.A[a].Track;
                s.A[a] = nv;
                if (was != nv.Track) Dropped(s, was, $"argument {a} is overwritten");
                return true;
            }
            case Code.Ldloc_0: case Code.Ldloc_1: case Code.Ldloc_2: case Code.Ldloc_3: case Code.Ldloc_S: case Code.Ldloc:
                Push(s, s.L[LocIndex(ins)]);
                return true;
            case Code.Ldloca_S: case Code.Ldloca:
            {
                int l = LocIndex(ins);
                if (s.L[l].K == VK.ByRef) throw Fail(Codes.StackType, "address of a byref local");
                Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(_body.Variables[l].VariableType), F = VF.Local, Home = l + 1, Track = s.L[l].Track });
                return true;
            }
            case Code.Stloc_0: case Code.Stloc_1: case Code.Stloc_2: case Code.Stloc_3: case Code.Stloc_S: case Code.Stloc:
            {
                int l = LocIndex(ins);
                var v = Pop(s);
                Expect(v, _body.Variables[l].VariableType, Codes.StackType, $"stloc {l}");
                var nv = s.L[l]; nv.F = v.F & (VF.Local | VF.ReadOnly | VF.ElementRO); nv.Home = v.Home; nv.Track = IsTrackedSlot(v) ? v.Track : 0;
                int was = s.L[l].Track;
                s.L[l] = nv;
                if (was != nv.Track) Dropped(s, was, $"local {l} is overwritten");
                return true;
            }

            case Code.Ldnull: Push(s, V.Of(VK.Null)); return true;
            case Code.Ldc_I4_M1: case Code.Ldc_I4_0: case Code.Ldc_I4_1: case Code.Ldc_I4_2: case Code.Ldc_I4_3: case Code.Ldc_I4_4:
            case Code.Ldc_I4_5: case Code.Ldc_I4_6: case Code.Ldc_I4_7: case Code.Ldc_I4_8: case Code.Ldc_I4_S: case Code.Ldc_I4:
                Push(s, V.Of(VK.I4)); return true;
            case Code.Ldc_I8: Push(s, V.Of(VK.I8)); return true;
            case Code.Ldc_R4: case Code.Ldc_R8: Push(s, V.Of(VK.F)); return true;
            case Code.Ldstr: Push(s, new V { K = VK.Ref, T = _ts.String }); return true;
            case Code.Dup:
            {
                // Both copies are one value (dup; ldvirtftn; newobj binds the method to the object it was looked up on).
                var v = Peek(s);
                v.Id = _cur + 1;
                s.S[s.N - 1].Id = v.Id;
                Push(s, v);
                return true;
            }
            case Code.Pop: Pop(s); return true;

            case Code.Call: case Code.Callvirt: case Code.Newobj:
                _callNeverReturns = false;
                DoCall(ins, s, code, constrained, tail);
                // The trusted runtime's failure calls end the process: nothing after them runs,
                // so what the path still owns cannot leak (the kernel reclaims the whole SIP).
                if (_callNeverReturns && !tail) return false;
                return true;

            case Code.Ret: DoRet(s); return false;

            case Code.Br_S: case Code.Br:
                Branch(ins, s, work, queued, (Instruction)ins.Operand, false);
                return false;
            case Code.Leave_S: case Code.Leave:
            {
                if (_regions[_cur].Length == 0) throw Fail(Codes.ExceptionRegion, "leave outside a protected region or handler");
                if (IsInFilter(_cur)) throw Fail(Codes.ExceptionRegion, "leave inside a filter");
                // A finally or fault handler ends with endfinally only (Partition I 12.4.2.4-5): leave may not exit one.
                if (ins.Operand is Instruction lt && _index.TryGetValue(lt.Offset, out int li))
                    foreach (int r in _regions[_cur])
                        if (r % 2 == 1 && _handlers[r / 2].HandlerType is ExceptionHandlerType.Finally or ExceptionHandlerType.Fault && Array.IndexOf(_regions[li], r) < 0)
                            throw Fail(Codes.ExceptionRegion, $"leave out of a {_handlers[r / 2].HandlerType.ToString().ToLowerInvariant()} handler (it ends with endfinally)");
                s.N = 0;
                Branch(ins, s, work, queued, (Instruction)ins.Operand, true);
                return false;
            }
            case Code.Brfalse_S: case Code.Brfalse: case Code.Brtrue_S: case Code.Brtrue:
            {
                var v = Pop(s);
                if (v.K is not (VK.I4 or VK.I8 or VK.I or VK.Ref or VK.Null) || v.Is(VF.UninitThis)) throw Fail(Codes.StackType, $"{ins.OpCode.Name} on {Show(v)}");
                bool onTrue = code is Code.Brtrue or Code.Brtrue_S;
                // Null tests refine ownership: on the path where the value is null there is nothing to own.
                int tid = 0; bool trueMeansNull = false;
                if (v.K == VK.Ref && v.Track != 0 && _tr.IsTracked(v.T)) { tid = v.Track; trueMeansNull = false; }
                else if (v.K == VK.I4 && v.Is(VF.NullTest)) { tid = v.Track; trueMeansNull = true; }
                var taken = s.Clone();
                if (tid != 0)
                {
                    bool takenIsNull = onTrue == trueMeansNull;
                    var nullState = takenIsNull ? taken : s;
                    if (nullState.Own != null && nullState.Own.TryGetValue(tid, out byte nb) && (nb & Mixed) == 0) nullState.Own.Remove(tid);
                }
                Branch(ins, taken, work, queued, (Instruction)ins.Operand, false);
                return true;
            }
            case Code.Beq_S: case Code.Beq: case Code.Bne_Un_S: case Code.Bne_Un:
            case Code.Bge_S: case Code.Bge: case Code.Bge_Un_S: case Code.Bge_Un: case Code.Bgt_S: case Code.Bgt: case Code.Bgt_Un_S: case Code.Bgt_Un:
            case Code.Ble_S: case Code.Ble: case Code.Ble_Un_S: case Code.Ble_Un: case Code.Blt_S: case Code.Blt: case Code.Blt_Un_S: case Code.Blt_Un:
            {
                var b = Pop(s); var a = Pop(s);
                bool eq = code is Code.Beq or Code.Beq_S or Code.Bne_Un or Code.Bne_Un_S;
                CheckCompare(a, b, eq || code is Code.Bgt_Un or Code.Bgt_Un_S, ins);
                Branch(ins, s.Clone(), work, queued, (Instruction)ins.Operand, false);
                return true;
            }
            case Code.Switch:
            {
                var v = Pop(s);
                if (v.K != VK.I4) throw Fail(Codes.StackType, $"switch on {Show(v)}");
                foreach (var t in (Instruction[])ins.Operand) Branch(ins, s.Clone(), work, queued, t, false);
                return true;
            }

            case Code.Ldind_I1: case Code.Ldind_U1: LdInd(s, "System.SByte", VK.I4); return true;
            case Code.Ldind_I2: case Code.Ldind_U2: LdInd(s, "System.Int16", VK.I4); return true;
            case Code.Ldind_I4: case Code.Ldind_U4: LdInd(s, "System.Int32", VK.I4); return true;
            case Code.Ldind_I8: LdInd(s, "System.Int64", VK.I8); return true;
            case Code.Ldind_I: LdInd(s, "System.IntPtr", VK.I); return true;
            case Code.Ldind_R4: LdInd(s, "System.Single", VK.F); return true;
            case Code.Ldind_R8: LdInd(s, "System.Double", VK.F); return true;
            case Code.Ldind_Ref:
            {
                var a = Pop(s);
                RequireByRef(a);
                var e = FromType(a.T);
                if (e.K != VK.Ref) throw Fail(Codes.StackType, $"ldind.ref through {Show(a)}");
                Push(s, e);
                return true;
            }
            case Code.Stind_I1: StInd(s, "System.SByte", VK.I4); return true;
            case Code.Stind_I2: StInd(s, "System.Int16", VK.I4); return true;
            case Code.Stind_I4: StInd(s, "System.Int32", VK.I4); return true;
            case Code.Stind_I8: StInd(s, "System.Int64", VK.I8); return true;
            case Code.Stind_I: StInd(s, "System.IntPtr", VK.I); return true;
            case Code.Stind_R4: StInd(s, "System.Single", VK.F); return true;
            case Code.Stind_R8: StInd(s, "System.Double", VK.F); return true;
            case Code.Stind_Ref:
            {
                var v = Pop(s); var a = Pop(s);
                RequireByRef(a);
                if (FromType(a.T).K != VK.Ref) throw Fail(Codes.StackType, $"stind.ref through {Show(a)}");
                Expect(v, a.T, Codes.StackType, "stind.ref");
                StoreThrough(s, a, v, a.T);
                return true;
            }

            case Code.Add: case Code.Sub: case Code.Mul: case Code.Div: case Code.Rem:
            case Code.Add_Ovf: case Code.Add_Ovf_Un: case Code.Sub_Ovf: case Code.Sub_Ovf_Un: case Code.Mul_Ovf: case Code.Mul_Ovf_Un: case Code.Div_Un: case Code.Rem_Un:
            case Code.And: case Code.Or: case Code.Xor:
            {
                var b = Pop(s); var a = Pop(s);
                bool intOnly = code is Code.And or Code.Or or Code.Xor or Code.Div_Un or Code.Rem_Un or Code.Add_Ovf_Un or Code.Sub_Ovf_Un or Code.Mul_Ovf_Un or Code.Add_Ovf or Code.Sub_Ovf or Code.Mul_Ovf;
                VK r;
                if (a.K == b.K && IsNumeric(a.K)) r = a.K;
                else if ((a.K == VK.I4 && b.K == VK.I) || (a.K == VK.I && b.K == VK.I4)) r = VK.I;
                else throw Fail(Codes.StackType, $"{ins.OpCode.Name} on {Show(a)} and {Show(b)}{(a.K == VK.ByRef || b.K == VK.ByRef ? " (arithmetic on references is unverifiable)" : "")}");
                if (intOnly && r == VK.F) throw Fail(Codes.StackType, $"{ins.OpCode.Name} on floating point");
                Push(s, V.Of(r));
                return true;
            }
            case Code.Shl: case Code.Shr: case Code.Shr_Un:
            {
                var b = Pop(s); var a = Pop(s);
                if (!IsInteger(a.K) || b.K is not (VK.I4 or VK.I)) throw Fail(Codes.StackType, $"{ins.OpCode.Name} on {Show(a)} and {Show(b)}");
                Push(s, V.Of(a.K));
                return true;
            }
            case Code.Neg: { var a = Pop(s); if (!IsNumeric(a.K)) throw Fail(Codes.StackType, $"neg on {Show(a)}"); Push(s, V.Of(a.K)); return true; }
            case Code.Not: { var a = Pop(s); if (!IsInteger(a.K)) throw Fail(Codes.StackType, $"not on {Show(a)}"); Push(s, V.Of(a.K)); return true; }
            case Code.Ckfinite: { var a = Pop(s); if (a.K != VK.F) throw Fail(Codes.StackType, $"ckfinite on {Show(a)}"); Push(s, V.Of(VK.F)); return true; }

            case Code.Conv_I1: case Code.Conv_I2: case Code.Conv_I4: case Code.Conv_U1: case Code.Conv_U2: case Code.Conv_U4:
            case Code.Conv_Ovf_I1: case Code.Conv_Ovf_I2: case Code.Conv_Ovf_I4: case Code.Conv_Ovf_U1: case Code.Conv_Ovf_U2: case Code.Conv_Ovf_U4:
            case Code.Conv_Ovf_I1_Un: case Code.Conv_Ovf_I2_Un: case Code.Conv_Ovf_I4_Un: case Code.Conv_Ovf_U1_Un: case Code.Conv_Ovf_U2_Un: case Code.Conv_Ovf_U4_Un:
                Conv(s, VK.I4); return true;
            case Code.Conv_I8: case Code.Conv_U8: case Code.Conv_Ovf_I8: case Code.Conv_Ovf_U8: case Code.Conv_Ovf_I8_Un: case Code.Conv_Ovf_U8_Un:
                Conv(s, VK.I8); return true;
            case Code.Conv_I: case Code.Conv_U: case Code.Conv_Ovf_I: case Code.Conv_Ovf_U: case Code.Conv_Ovf_I_Un: case Code.Conv_Ovf_U_Un:
                Conv(s, VK.I); return true;
            case Code.Conv_R4: case Code.Conv_R8: case Code.Conv_R_Un:
                Conv(s, VK.F); return true;

            case Code.Ceq: case Code.Cgt: case Code.Cgt_Un: case Code.Clt: case Code.Clt_Un:
            {
                var b = Pop(s); var a = Pop(s);
                CheckCompare(a, b, code is Code.Ceq or Code.Cgt_Un, ins);
                Push(s, V.Of(VK.I4));
                return true;
            }

            case Code.Ldfld: case Code.Ldflda: case Code.Stfld: case Code.Ldsfld: case Code.Ldsflda: case Code.Stsfld:
                DoField(ins, s, code);
                return true;

            case Code.Ldobj:
            {
                var t = Token(ins);
                var a = Pop(s);
                RequireByRef(a);
                if (!_ts.Same(a.T, t) && _ts.ReducedKey(a.T) != _ts.ReducedKey(t)) throw Fail(Codes.StackType, $"ldobj {Show(t)} through {Show(a)}");
                var v = FromType(t);
                if (IsTrackedSlot(v)) { v.Track = a.Track; Use(s, a.Track, "copied"); }
                Push(s, v);
                return true;
            }
            case Code.Stobj:
            {
                var t = Token(ins);
                var v = Pop(s); var a = Pop(s);
                RequireByRef(a);
                if (!_ts.Same(a.T, t) && _ts.ReducedKey(a.T) != _ts.ReducedKey(t)) throw Fail(Codes.StackType, $"stobj {Show(t)} through {Show(a)}");
                Expect(v, t, Codes.StackType, "stobj");
                StoreThrough(s, a, v, t);
                return true;
            }
            case Code.Cpobj:
            {
                var t = Token(ins);
                var src = Pop(s); var dst = Pop(s);
                RequireByRef(src); RequireByRef(dst);
                if (!_ts.Same(src.T, t) || !_ts.Same(dst.T, t)) throw Fail(Codes.StackType, $"cpobj {Show(t)} between {Show(src)} and {Show(dst)}");
                if (_tr.IsTracked(t)) throw Fail(Codes.StoredInHeap, "cpobj of a tracked value duplicates it");
                StoreThrough(s, dst, V.Of(VK.I4), t);
                return true;
            }
            case Code.Initobj:
            {
                var t = Token(ins);
                var a = Pop(s);
                RequireByRef(a);
                if (!_ts.Same(a.T, t)) throw Fail(Codes.StackType, $"initobj {Show(t)} on {Show(a)}");
                if (a.Is(VF.ReadOnly)) throw Fail(Codes.ByRefEscape, "initobj through a readonly reference");
                if (a.Home > 0) { int was = s.L[a.Home - 1].Track; s.L[a.Home - 1].Track = 0; Dropped(s, was, $"local {a.Home - 1} is cleared"); }
                else if (a.Home < 0 && a.Home != CallerHome) { int was = s.A[-a.Home - 1].Track; s.A[-a.Home - 1].Track = 0; Dropped(s, was, $"argument {-a.Home - 1} is cleared"); }
                return true;
            }
            case Code.Sizeof: Token(ins); Push(s, V.Of(VK.I4)); return true;

            case Code.Newarr:
            {
                var t = Token(ins);
                var n = Pop(s);
                if (n.K is not (VK.I4 or VK.I)) throw Fail(Codes.StackType, $"newarr length is {Show(n)}");
                if (TypeSystem.Strip(t) is ByReferenceType || (TypeSystem.Strip(t) is var st && st.FullName is "System.Void" or "System.TypedReference")) throw Fail(Codes.StackType, $"array of {Show(t)}");
                Push(s, new V { K = VK.Ref, T = new ArrayType(t) });
                return true;
            }
            case Code.Ldlen:
            {
                var a = Pop(s);
                if (!(a.K == VK.Null || (a.K == VK.Ref && TypeSystem.Strip(a.T) is ArrayType { IsVector: true }))) throw Fail(Codes.ElementAccess, $"ldlen on {Show(a)}");
                Push(s, V.Of(VK.I));
                return true;
            }
            case Code.Ldelem_I1: case Code.Ldelem_U1: Ldelem(s, "System.SByte"); return true;
            case Code.Ldelem_I2: case Code.Ldelem_U2: Ldelem(s, "System.Int16"); return true;
            case Code.Ldelem_I4: case Code.Ldelem_U4: Ldelem(s, "System.Int32"); return true;
            case Code.Ldelem_I8: Ldelem(s, "System.Int64"); return true;
            case Code.Ldelem_I: Ldelem(s, "System.IntPtr"); return true;
            case Code.Ldelem_R4: Ldelem(s, "System.Single"); return true;
            case Code.Ldelem_R8: Ldelem(s, "System.Double"); return true;
            case Code.Ldelem_Ref: Ldelem(s, null); return true;
            case Code.Ldelem_Any: Ldelem(s, null, Token(ins)); return true;
            case Code.Ldelema:
            {
                var t = Token(ins);
                var idx = Pop(s); var arr = Pop(s);
                var et = ElementType(arr, idx);
                if (et != null && !_ts.Same(et, t)) throw Fail(Codes.ElementAccess, $"ldelema {Show(t)} on {Show(arr)}");
                // Without readonly., the address of an element of a covariant array could be written with the wrong type; the runtime checks the exact type.
                Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(t), F = ro ? VF.ReadOnly | VF.ElementRO : VF.None });
                return true;
            }
            case Code.Stelem_I1: Stelem(s, "System.SByte"); return true;
            case Code.Stelem_I2: Stelem(s, "System.Int16"); return true;
            case Code.Stelem_I4: Stelem(s, "System.Int32"); return true;
            case Code.Stelem_I8: Stelem(s, "System.Int64"); return true;
            case Code.Stelem_I: Stelem(s, "System.IntPtr"); return true;
            case Code.Stelem_R4: Stelem(s, "System.Single"); return true;
            case Code.Stelem_R8: Stelem(s, "System.Double"); return true;
            case Code.Stelem_Ref: Stelem(s, null); return true;
            case Code.Stelem_Any: Stelem(s, null, Token(ins)); return true;

            case Code.Box:
            {
                var t = Token(ins);
                var v = Pop(s);
                if (TypeSystem.Strip(t) is ByReferenceType) throw Fail(Codes.Cast, "box of a byref type");
                if (!_ts.IsValueType(t) && !TypeSystem.IsGenericParam(t))
                {
                    // box of a reference type is a no-op (ECMA allows it).
                    Expect(v, t, Codes.Cast, "box");
                    Push(s, v);
                    return true;
                }
                Expect(v, t, Codes.Cast, "box");
                if (IsTrackedSlot(v) || _tr.IsTracked(t)) { Report(Codes.StoredInHeap, $"box of a tracked {Show(t)} puts it in a GC object"); Transfer(s, v.Track, "boxed"); }
                var r = new V { K = VK.Ref, T = t };
                if (_ts.IsValueType(t) && TypeSystem.Strip(t) is not GenericParameter && _ts.Resolve(t) is { } d && d.FullName == "System.Nullable`1")
                    r.T = ((GenericInstanceType)TypeSystem.Strip(t)).GenericArguments[0];
                Push(s, r);
                return true;
            }
            case Code.Unbox:
            {
                var t = Token(ins);
                var v = Pop(s);
                if (v.K is not (VK.Ref or VK.Null) || !_ts.IsValueType(t)) throw Fail(Codes.Cast, $"unbox {Show(t)} from {Show(v)}");
                Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(t), F = VF.ReadOnly });
                return true;
            }
            case Code.Unbox_Any:
            {
                var t = Token(ins);
                var v = Pop(s);
                if (v.K is not (VK.Ref or VK.Null) || v.Is(VF.UninitThis)) throw Fail(Codes.Cast, $"unbox.any {Show(t)} from {Show(v)}");
                Push(s, t);
                return true;
            }
            case Code.Castclass: case Code.Isinst:
            {
                var t = Token(ins);
                var v = Pop(s);
                if (v.K is not (VK.Ref or VK.Null) || v.Is(VF.UninitThis)) throw Fail(Codes.Cast, $"{ins.OpCode.Name} on {Show(v)}");
                if (TypeSystem.Strip(t) is ByReferenceType) throw Fail(Codes.Cast, $"{ins.OpCode.Name} to a byref type");
                var r = new V { K = VK.Ref, T = t };
                if (_ts.IsValueType(t) || TypeSystem.IsGenericParam(t)) r.T = t;   // a boxed value type
                if (IsTrackedSlot(v)) r.Track = v.Track;
                Push(s, r);
                return true;
            }

            case Code.Throw:
            {
                var v = Pop(s);
                if (v.K is not (VK.Ref or VK.Null) || v.Is(VF.UninitThis)) throw Fail(Codes.StackType, $"throw of {Show(v)}");
                if (v.K == VK.Ref && !_ts.IsAssignableRef(v.T, _ts.CorType("System", "Exception")) && !TypeSystem.IsGenericParam(v.T))
                    throw Fail(Codes.StackType, $"throw of {Show(v)}, which is not an exception");
                if (!InCatchTry(_cur)) CheckLeaks(s, 0, "this throw");
                return false;
            }
            case Code.Rethrow:
                // Only in the body of a catch handler, not in a filter, finally or fault nested in one.
                if (InnermostHandler(_cur) is not { } rh || rh.Filter || rh.Clause.HandlerType is not (ExceptionHandlerType.Catch or ExceptionHandlerType.Filter))
                    throw Fail(Codes.ExceptionRegion, "rethrow outside the body of a catch handler");
                return false;
            case Code.Endfinally:
                if (InnermostHandler(_cur) is not { Filter: false } fh || fh.Clause.HandlerType is not (ExceptionHandlerType.Finally or ExceptionHandlerType.Fault))
                    throw Fail(Codes.ExceptionRegion, "endfinally outside a finally or fault handler");
                if (InTryWithin(_cur, fh.Region)) throw Fail(Codes.ExceptionRegion, "endfinally inside a try block nested in the handler (a try block is left by leave or throw only)");
                FinallyContinues(s, work, queued);
                return false;
            case Code.Endfilter:
            {
                if (!IsInFilter(_cur)) throw Fail(Codes.ExceptionRegion, "endfilter outside a filter");
                if (InnermostHandler(_cur) is not { Filter: true } fl || _index[fl.Clause.HandlerStart.Offset] != _cur + 1)
                    throw Fail(Codes.ExceptionRegion, "endfilter before the end of its filter (it is the filter's last instruction)");
                if (InTryWithin(_cur, fl.Region)) throw Fail(Codes.ExceptionRegion, "endfilter inside a try block nested in the filter");
                var v = Pop(s);
                if (v.K != VK.I4 || s.N != 0) throw Fail(Codes.ExceptionRegion, "endfilter needs exactly one int32 on the stack");
                // The handler runs after the filter: it sees what the filter left in locals and arguments, and the exception.
                var hs = s.Clone();
                hs.S[0] = new V { K = VK.Ref, T = _ts.Object }; hs.N = 1;
                MergeInto(_index[fl.Clause.HandlerStart.Offset], hs, work, queued, handler: true);
                return false;
            }

            case Code.Ldtoken:
            {
                var tok = ins.Operand;
                switch (tok)
                {
                    // typeof: a runtime type handle is reflection, and the core library has none (ilc
                    // cannot compile it: it needs Internal.Runtime.CompilerHelpers.LdTokenHelpers).
                    case TypeReference: throw Fail(Codes.Reflection, "ldtoken of a type (typeof) is reflection, which SIPs do not have");
                    case FieldReference f:
                        // Only for RuntimeHelpers.InitializeArray, which copies compile-time data into a new array.
                        if (!(_cur + 1 < _ins.Length && _ins[_cur + 1].OpCode.Code == Code.Call && _ins[_cur + 1].Operand is MethodReference im && im.Name == "InitializeArray" && im.DeclaringType.FullName == "System.Runtime.CompilerServices.RuntimeHelpers"))
                            throw Fail(Codes.Reflection, $"ldtoken of field {f.Name} outside array initialisation (reflection)");
                        var fd = _ts.Resolve(f);
                        if (!fd.HasFieldRVA || !fd.IsStatic || fd.Module != _m.Module) throw Fail(Codes.Reflection, $"array initialisation from {f.Name}, which is not this assembly's constant data");
                        Push(s, new V { K = VK.Val, T = _ts.CorType("System", "RuntimeFieldHandle") });
                        break;
                    case MethodReference mr: throw Fail(Codes.Reflection, $"ldtoken of method {mr.Name} (reflection)");
                    default: throw Fail(Codes.StackType, "bad ldtoken operand");
                }
                return true;
            }
            case Code.Ldftn:
            {
                var mr = (MethodReference)ins.Operand;
                var md = _av.CheckMethodUse(_m, ins.Offset, mr);
                if (md.IsConstructor) throw Fail(Codes.BadCall, $"ldftn of constructor {Show(mr.DeclaringType)}::{md.Name}");
                if (md.IsAbstract) throw Fail(Codes.BadCall, $"ldftn of abstract method {md.Name} (it has no body to call)");
                Push(s, new V { K = VK.Ftn, M = mr });
                return true;
            }
            case Code.Ldvirtftn:
            {
                var mr = (MethodReference)ins.Operand;
                var md = _av.CheckMethodUse(_m, ins.Offset, mr);
                var o = Pop(s);
                if (md.IsStatic || md.IsConstructor) throw Fail(Codes.BadCall, $"ldvirtftn of {(md.IsStatic ? "static method" : "constructor")} {md.Name}");
                if (o.Is(VF.UninitThis)) throw Fail(Codes.Uninitialized, "ldvirtftn on 'this' before the base constructor ran");
                if (o.K != VK.Null && (o.K != VK.Ref || !_ts.IsAssignableRef(o.T, mr.DeclaringType))) throw Fail(Codes.CallSignature, $"ldvirtftn on {Show(o)}, not a {Show(mr.DeclaringType)}");
                CheckFamilyInstance(md, o, mr);
                // The pointer remembers the object it was looked up on: the delegate must bind that same object.
                Push(s, new V { K = VK.Ftn, M = mr, F = VF.Virtual, Id = o.Id });
                return true;
            }
            default:
                throw Fail(Codes.UnverifiableOpcode, $"opcode {ins.OpCode.Name} is not supported");
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

    private int ArgIndex(Instruction ins)
    {
        int a = ins.OpCode.Code switch
        {
            Code.Ldarg_0 => 0, Code.Ldarg_1 => 1, Code.Ldarg_2 => 2, Code.Ldarg_3 => 3,
            _ => ins.Operand switch { ParameterDefinition p => p.Index + (_m.HasThis ? 1 : 0) - (p.Method == _m || p.Method == null ? 0 : 0), int n => n, sbyte b => b, byte u => u, _ => -1 },
        };
        if (ins.Operand is ParameterDefinition pd && pd.Index == -1) a = 0;   // Cecil's 'this' parameter
        if (a < 0 || a >= _argTypes.Length) throw Fail(Codes.BadIndex, $"argument {a} out of range (the method has {_argTypes.Length})");
        return a;
    }

    private int LocIndex(Instruction ins)
    {
        int l = ins.OpCode.Code switch
        {
            Code.Ldloc_0 or Code.Stloc_0 => 0, Code.Ldloc_1 or Code.Stloc_1 => 1, Code.Ldloc_2 or Code.Stloc_2 => 2, Code.Ldloc_3 or Code.Stloc_3 => 3,
            _ => ins.Operand switch { VariableDefinition v => v.Index, int n => n, sbyte b => b, byte u => u, _ => -1 },
        };
        if (l < 0 || l >= _body.Variables.Count) throw Fail(Codes.BadIndex, $"local {l} out of range (the method has {_body.Variables.Count})");
        return l;
    }

    private TypeReference Token(Instruction ins)
    {
        if (ins.Operand is not TypeReference t) throw Fail(Codes.StackType, $"{ins.OpCode.Name} without a type operand");
        _av.CheckTypeUse(_m, ins.Offset, t);
        return t;
    }

    private void Branch(Instruction ins, State s, Stack<int> work, bool[] queued, Instruction target, bool isLeave)
    {
        if (target == null || !_index.TryGetValue(target.Offset, out int ti))
            throw Fail(Codes.BranchTarget, "branch target is not the start of an instruction of this method");
        if (_afterPrefix[ti])
            throw Fail(Codes.BranchTarget, $"branch to IL_{target.Offset:x4}, which follows a prefix: the middle of a prefixed instruction is not a branch target");
        // III.1.7.5: the stack state at every instruction follows from one forward pass, so it is empty at a backward branch.
        if (ti <= _cur && s.N != 0)
            throw Fail(Codes.StackMerge, $"backward branch to IL_{target.Offset:x4} with {s.N} value(s) on the stack (the stack must be empty at a backward branch)");
        if (!BranchAllowed(_cur, ti, isLeave))
            throw Fail(isLeave ? Codes.ExceptionRegion : Codes.BranchTarget, $"branch to IL_{target.Offset:x4} enters or leaves a protected region or handler{(isLeave ? "" : " (only leave may exit one, and a try may be entered only at its start)")}");
        if (!isLeave && _regions[ti].Length > 0 && s.N != 0)
            foreach (int r in _regions[ti]) if (Array.IndexOf(_regions[_cur], r) < 0) throw Fail(Codes.ExceptionRegion, "the stack must be empty when entering a try block");
        if (isLeave && LeaveThroughFinally(ti, s, work, queued)) return;
        MergeInto(ti, s, work, queued);
    }

    // Where each finally handler's endfinally continues on the normal path: the leave targets (or
    // the next finally out) of the leaves that run it. A leave does not jump straight to its
    // target: it runs the finally handlers of the try blocks it exits, innermost first, so what
    // they release (a Close in a finally, a `using`, a `lock`) is released on the way.
    private readonly Dictionary<int, HashSet<int>> _finallyExits = new();

    private bool LeaveThroughFinally(int target, State s, Stack<int> work, bool[] queued)
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
            else AddFinallyExit(previous, start, work, queued);
            previous = r / 2;
        }
        if (first < 0) return false;
        AddFinallyExit(previous, target, work, queued);
        MergeInto(first, s, work, queued);
        return true;
    }

    private void AddFinallyExit(int handler, int continuation, Stack<int> work, bool[] queued)
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
            if ((j == start || _join[j]) && _at[j] != null && !queued[j]) { queued[j] = true; work.Push(j); }
    }

    private void FinallyContinues(State s, Stack<int> work, bool[] queued)
    {
        if (InnermostHandler(_cur) is not { } h || h.Clause.HandlerType != ExceptionHandlerType.Finally) return;
        if (!_finallyExits.TryGetValue(h.Region / 2, out var exits)) return;
        int save = _cur;
        foreach (int c in exits.ToArray()) { MergeInto(c, s, work, queued); _cur = save; }
    }

    private void CheckCompare(V a, V b, bool refsOk, Instruction ins)
    {
        bool ok = (a.K == b.K && IsNumeric(a.K))
            || (a.K == VK.I4 && b.K == VK.I) || (a.K == VK.I && b.K == VK.I4)
            || (refsOk && a.K is VK.Ref or VK.Null && b.K is VK.Ref or VK.Null && !a.Is(VF.UninitThis) && !b.Is(VF.UninitThis))
            || (a.K == VK.ByRef && b.K == VK.ByRef && (ins.OpCode.Code is Code.Ceq or Code.Beq or Code.Beq_S or Code.Bne_Un or Code.Bne_Un_S));
        if (!ok) throw Fail(Codes.StackType, $"{ins.OpCode.Name} compares {Show(a)} with {Show(b)}");
    }

    private void Conv(State s, VK to)
    {
        var a = Pop(s);
        if (!IsNumeric(a.K)) throw Fail(a.K == VK.ByRef ? Codes.UnverifiableOpcode : Codes.StackType, $"{OpName()} on {Show(a)}{(a.K == VK.ByRef ? " (turns a reference into a number)" : "")}");
        Push(s, V.Of(to));
    }

    private void RequireByRef(V a)
    {
        if (a.K == VK.ByRef) return;
        if (a.K is VK.I or VK.I4 or VK.I8) throw Fail(Codes.UnverifiableOpcode, $"{OpName()} through a native pointer ({Show(a)}) is not allowed");
        throw Fail(Codes.StackType, $"{OpName()} needs a managed reference, not {Show(a)}");
    }

    private void LdInd(State s, string type, VK k)
    {
        var a = Pop(s);
        RequireByRef(a);
        if (_ts.ReducedKey(a.T) != _ts.ReducedKey(_ts.CorType("System", type.Substring(7)))) throw Fail(Codes.StackType, $"{OpName()} through {Show(a)}");
        Push(s, V.Of(k));
    }

    private void StInd(State s, string type, VK k)
    {
        var v = Pop(s); var a = Pop(s);
        RequireByRef(a);
        if (_ts.ReducedKey(a.T) != _ts.ReducedKey(_ts.CorType("System", type.Substring(7)))) throw Fail(Codes.StackType, $"{OpName()} through {Show(a)}");
        if (!(v.K == k || (k == VK.I && v.K == VK.I4) || (k == VK.I4 && v.K == VK.I))) throw Fail(Codes.StackType, $"{OpName()} of {Show(v)}");
        StoreThrough(s, a, v, a.T);
    }

    private TypeReference ElementType(V arr, V idx)
    {
        if (idx.K is not (VK.I4 or VK.I)) throw Fail(Codes.ElementAccess, $"array index is {Show(idx)}");
        if (arr.K == VK.Null) return null;
        if (arr.K != VK.Ref || TypeSystem.Strip(arr.T) is not ArrayType { IsVector: true } at) throw Fail(Codes.ElementAccess, $"{OpName()} on {Show(arr)}, not a one-dimensional array");
        return at.ElementType;
    }

    private void Ldelem(State s, string prim, TypeReference tok = null)
    {
        var idx = Pop(s); var arr = Pop(s);
        var et = ElementType(arr, idx);
        if (et == null) { Push(s, tok != null ? FromType(tok) : prim == null ? V.Of(VK.Null) : FromType(_ts.CorType("System", prim.Substring(7)))); return; }
        if (tok != null) { if (!_ts.Same(et, tok) && !(FromType(et).K == VK.Ref && FromType(tok).K == VK.Ref && _ts.IsAssignableRef(et, tok))) throw Fail(Codes.ElementAccess, $"ldelem {Show(tok)} on {Show(et)}[]"); }
        else if (prim == null) { if (FromType(et).K != VK.Ref) throw Fail(Codes.ElementAccess, $"ldelem.ref on {Show(et)}[]"); }
        else if (_ts.ReducedKey(et) != _ts.ReducedKey(_ts.CorType("System", prim.Substring(7)))) throw Fail(Codes.ElementAccess, $"{OpName()} on {Show(et)}[]");
        var v = FromType(tok ?? et);
        Push(s, v);
    }

    private void Stelem(State s, string prim, TypeReference tok = null)
    {
        var v = Pop(s); var idx = Pop(s); var arr = Pop(s);
        var et = ElementType(arr, idx);
        if (et != null)
        {
            if (tok != null && !_ts.Same(et, tok) && !(FromType(et).K == VK.Ref && FromType(tok).K == VK.Ref)) throw Fail(Codes.ElementAccess, $"stelem {Show(tok)} on {Show(et)}[]");
            if (prim == null && tok == null && FromType(et).K != VK.Ref) throw Fail(Codes.ElementAccess, $"stelem.ref on {Show(et)}[]");
            if (prim != null && _ts.ReducedKey(et) != _ts.ReducedKey(_ts.CorType("System", prim.Substring(7)))) throw Fail(Codes.ElementAccess, $"{OpName()} on {Show(et)}[]");
            var target = FromType(et);
            // Reference elements: the runtime checks the exact element type (covariance); the static type only needs to be a reference.
            if (target.K == VK.Ref) { if (v.K is not (VK.Ref or VK.Null) || v.Is(VF.UninitThis)) throw Fail(Codes.ElementAccess, $"storing {Show(v)} into {Show(et)}[]"); }
            else if (!Assignable(v, tok ?? et) && !(prim != null && v.K == target.K)) throw Fail(Codes.ElementAccess, $"storing {Show(v)} into {Show(et)}[]");
            if (IsTrackedSlot(v) || _tr.IsTracked(et))
            {
                // An endpoint in an array is a borrowed view for EndpointSet.Select; exchange blocks may not live in arrays.
                if (!(v.K == VK.Ref && _tr.IsEndpoint(v.T)) && v.K != VK.Null) { Report(Codes.StoredInHeap, $"a tracked {Show(v)} is stored in an array (a GC object)"); Transfer(s, v.Track, "stored"); }
                else Use(s, v.Track, "stored in an array");
            }
        }
    }

    // ----- fields -----------------------------------------------------------------------------

    private void DoField(Instruction ins, State s, Code code)
    {
        var fr = (FieldReference)ins.Operand;
        var fd = _av.CheckFieldUse(_m, ins.Offset, fr);
        var ft = TypeSystem.Inflate(fr.FieldType, fr);
        bool isStatic = code is Code.Ldsfld or Code.Ldsflda or Code.Stsfld;
        if (fd.IsStatic != isStatic) throw Fail(Codes.FieldAccess, $"{ins.OpCode.Name} on {(fd.IsStatic ? "static" : "instance")} field {fd.Name}");
        bool inOwnCtor = fd.DeclaringType == _m.DeclaringType && _m.IsConstructor && _m.IsStatic == fd.IsStatic;

        if (isStatic)
        {
            if (code == Code.Stsfld)
            {
                var v = Pop(s);
                Expect(v, ft, Codes.FieldAccess, $"stsfld {fd.Name}");
                if (fd.IsInitOnly && !inOwnCtor) throw Fail(Codes.InitOnlyWrite, $"write to readonly static field {fd.Name} outside its type's static constructor");
                if (IsTrackedSlot(v)) { Report(Codes.StoredInHeap, $"a tracked {Show(v)} is stored in static field {fd.Name}"); Transfer(s, v.Track, "stored"); }
                return;
            }
            if (code == Code.Ldsflda)
            {
                var f = VF.None;
                if (fd.IsInitOnly && !inOwnCtor) f |= VF.ReadOnly;
                Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(ft), F = f });
                return;
            }
            Push(s, ft);
            return;
        }

        var declType = fr.DeclaringType;
        bool declIsValue = _ts.IsValueType(declType);
        if (code == Code.Stfld)
        {
            var v = Pop(s);
            var o = Pop(s);
            CheckFieldObject(o, declType, declIsValue, fd, allowUninitThis: fd.DeclaringType == _m.DeclaringType, allowValue: false);
            CheckFamilyInstance(fd, o, fr);
            Expect(v, ft, Codes.FieldAccess, $"stfld {fd.Name}");
            if (fd.IsInitOnly && !(inOwnCtor && (o.K == VK.ByRef ? o.Home == -1 : IsThis(o)))) throw Fail(Codes.InitOnlyWrite, $"write to readonly field {fd.Name} outside its constructor");
            if (o.K == VK.ByRef && o.Is(VF.ReadOnly)) throw Fail(Codes.ByRefEscape, $"stfld {fd.Name} through a readonly reference");
            if (v.K == VK.ByRef) throw Fail(Codes.ByRefField, $"a reference stored in field {fd.Name}");
            if (IsTrackedSlot(v) || _tr.IsTracked(ft))
            {
                if (v.K == VK.Null || (v.K == VK.Val && v.Track == 0 && !_tr.IsTracked(v.T))) return;
                if (!declIsValue && !_tr.IsTRef(declType)) { Report(Codes.StoredInHeap, $"a tracked {Show(ft)} is stored in field {fd.Name} of class {Show(declType)} (keep it in a TRef)"); Transfer(s, v.Track, "stored"); }
                else Transfer(s, v.Track, $"stored in field {fd.Name}");
            }
            return;
        }
        var obj = Pop(s);
        CheckFieldObject(obj, declType, declIsValue, fd, allowUninitThis: false, allowValue: code == Code.Ldfld);
        CheckFamilyInstance(fd, obj, fr);
        if (code == Code.Ldflda)
        {
            // An address needs an object or an address: a struct value on the stack is a copy that dies with the instruction.
            if (obj.K == VK.Val) throw Fail(Codes.FieldAccess, $"ldflda {fd.Name} on a {Show(obj)} value, not an address");
            var f = VF.None;
            if (obj.K == VK.ByRef) { f |= obj.F & (VF.Local | VF.ReadOnly); }
            if (fd.IsInitOnly && !(inOwnCtor && (obj.K == VK.ByRef ? obj.Home == -1 : IsThis(obj)))) f |= VF.ReadOnly;
            Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(ft), F = f });
            return;
        }
        Push(s, ft);
    }

    /// <summary>Is <paramref name="v"/> this method's own 'this' (by value: ldarg.0, not another object of its class)?</summary>
    private bool IsThis(V v) => _m.HasThis && v.K == VK.Ref && (v.Is(VF.This) || v.Is(VF.UninitThis));

    private void CheckFieldObject(V o, TypeReference declType, bool declIsValue, FieldDefinition fd, bool allowUninitThis, bool allowValue)
    {
        if (o.Is(VF.UninitThis) && !allowUninitThis) throw Fail(Codes.Uninitialized, $"field {fd.Name} read from 'this' before the base constructor ran");
        // ldflda and stfld need the object's location (III.4.11, III.4.28): a struct value on the stack is a copy that dies with the frame.
        if (o.K == VK.Val && !allowValue) throw Fail(Codes.FieldAccess, $"{OpName()} {fd.Name} on a {Show(o)} value (it needs an object reference or a managed pointer)");
        switch (o.K)
        {
            case VK.Ref:
                if (declIsValue) { if (TypeSystem.Strip(o.T) is not GenericParameter && !_ts.Same(o.T, declType)) throw Fail(Codes.FieldAccess, $"field {fd.Name} of {Show(declType)} accessed on {Show(o)}"); return; }
                if (!_ts.IsAssignableRef(o.T, declType)) throw Fail(Codes.FieldAccess, $"field {fd.Name} of {Show(declType)} accessed on {Show(o)}");
                return;
            case VK.Null: return;
            case VK.ByRef:
                // A managed pointer to a struct; a pointer to a reference points at the reference, not at the object's fields.
                if (!declIsValue || !_ts.Same(o.T, declType)) throw Fail(Codes.FieldAccess, $"field {fd.Name} of {Show(declType)} accessed through {Show(o)}");
                return;
            case VK.Val:
                if (!_ts.Same(o.T, declType)) throw Fail(Codes.FieldAccess, $"field {fd.Name} of {Show(declType)} accessed on {Show(o)}");
                return;
            default:
                throw Fail(o.K == VK.I ? Codes.UnverifiableOpcode : Codes.FieldAccess, $"field {fd.Name} accessed on {Show(o)}");
        }
    }

    /// <summary>
    /// Family access through an instance (I.8.5.3.2): a protected instance member that this class
    /// reaches only as a subclass is used through an instance of this class (or a subclass of it),
    /// never through another branch of the hierarchy.
    /// </summary>
    private void CheckFamilyInstance(IMemberDefinition member, V obj, MemberReference through)
    {
        if (obj.K == VK.Null || obj.Is(VF.This) || obj.Is(VF.UninitThis) || obj.T == null) return;
        var via = _av.FamilyAccessVia(member, _m.DeclaringType);
        if (via == null) return;
        foreach (var c in via) if (_ts.IsAssignableRef(obj.T, c)) return;
        Report(Codes.Inaccessible, $"protected member {AssemblyVerifier.TypeName(member.DeclaringType)}::{member.Name} used through a {Show(obj)}, which is not {AssemblyVerifier.TypeName(_m.DeclaringType)} or derived from it");
    }

    // ----- calls ------------------------------------------------------------------------------

    private void DoCall(Instruction ins, State s, Code code, TypeReference constrained, bool tail)
    {
        var mr = (MethodReference)ins.Operand;
        var md = _av.CheckMethodUse(_m, ins.Offset, mr);
        if (mr.CallingConvention == MethodCallingConvention.VarArg) throw Fail(Codes.UnverifiableOpcode, "vararg call");
        _callNeverReturns = code != Code.Newobj && _tr.NeverReturns(md);
        bool newobj = code == Code.Newobj;
        if (newobj)
        {
            if (!md.IsConstructor || md.IsStatic) throw Fail(Codes.BadCall, $"newobj of {md.Name}, which is not an instance constructor");
            if (md.DeclaringType.IsAbstract) throw Fail(Codes.BadCall, $"newobj of abstract type {Show(mr.DeclaringType)}");
            CheckFamilyInstance(md, new V { K = VK.Ref, T = mr.DeclaringType }, mr);
        }
        else
        {
            if (code == Code.Callvirt && md.IsStatic) throw Fail(Codes.BadCall, $"callvirt of static method {md.Name}");
            if (code == Code.Call && md.IsAbstract) throw Fail(Codes.BadCall, $"non-virtual call of abstract method {md.Name}");
            if (md.IsConstructor && md.IsStatic) throw Fail(Codes.BadCall, $"call of the class constructor of {Show(mr.DeclaringType)}");
            if (md.IsConstructor && code == Code.Callvirt) throw Fail(Codes.BadCall, $"callvirt of constructor {Show(mr.DeclaringType)}::.ctor");
            // A value type's constructor may initialise any writable struct; a class's runs only in the constructor chain.
            if (md.IsConstructor && !md.DeclaringType.IsValueType && !IsCtorChain(md)) throw Fail(Codes.BadCall, $"direct call of constructor {Show(mr.DeclaringType)}::.ctor outside a constructor chain");
        }

        int np = mr.Parameters.Count;
        var args = new V[np];
        for (int i = np - 1; i >= 0; i--) args[i] = Pop(s);
        var types = new TypeReference[np];
        for (int i = 0; i < np; i++) types[i] = TypeSystem.Inflate(mr.Parameters[i].ParameterType, mr);

        // RuntimeHelpers.InitializeArray copies this assembly's compile-time data (ldtoken checked it) into the array:
        // the array's elements must be plain data, never references.
        if (np == 2 && md.Name == "InitializeArray" && _ts.Key(md.DeclaringType) == "System.Runtime.CompilerServices.RuntimeHelpers"
            && !(args[0].K == VK.Ref && TypeSystem.Strip(args[0].T) is ArrayType { IsVector: true } ia && FromType(ia.ElementType).K is VK.I4 or VK.I8 or VK.I or VK.F))
            throw Fail(Codes.Reflection, $"InitializeArray of {Show(args[0])}: compile-time data initialises arrays of numbers only");

        bool anyLocalRef = false;
        // Delegate construction: (object, ldftn/ldvirtftn method).
        if (newobj && _ts.IsDelegate(mr.DeclaringType) && np == 2)
        {
            CheckDelegate(s, mr, args[0], args[1]);
        }
        else
        {
            for (int i = 0; i < np; i++)
            {
                if (args[i].K == VK.Ftn && FromType(types[i]).K == VK.I) throw Fail(Codes.DelegateCtor, "a method pointer passed as a native int");
                Expect(args[i], types[i], Codes.CallSignature, $"argument {i + 1} of {mr.DeclaringType.Name}::{mr.Name}");
                if (args[i].K == VK.ByRef)
                {
                    anyLocalRef |= args[i].Is(VF.Local);
                    if (args[i].Is(VF.ReadOnly) && !IsInParam(md, i)) throw Fail(Codes.ByRefEscape, $"a readonly reference passed as writable ref argument {i + 1} of {mr.Name}");
                }
            }
        }

        V self = default;
        bool hasThis = mr.HasThis && !newobj;
        if (hasThis)
        {
            self = Pop(s);
            var dt = mr.DeclaringType;
            if (self.Is(VF.UninitThis))
            {
                if (!(md.IsConstructor && code == Code.Call && IsCtorChain(md))) throw Fail(Codes.Uninitialized, $"'this' used (call to {mr.Name}) before the base constructor ran");
                // The constructor of this very class or its base, as instantiated for 'this' (not another instantiation).
                if (!_ts.IsAssignableRef(self.T, dt)) throw Fail(Codes.CallSignature, $"constructor {Show(dt)}::.ctor called on 'this' of type {Show(self.T)}");
                s.ThisInit = true;
                for (int k = 0; k < s.N; k++) s.S[k].F &= ~VF.UninitThis;
            }
            else if (constrained != null)
            {
                if (self.K != VK.ByRef || !_ts.Same(self.T, constrained)) throw Fail(Codes.CallSignature, $"constrained. {Show(constrained)} with {Show(self)} as receiver");
                // A value type's own method gets the pointer itself: through a read-only reference it must not write
                // (an element of readonly. ldelema excepted: the location is writable, only its exact type was not checked).
                if (self.Is(VF.ReadOnly) && !self.Is(VF.ElementRO) && (_ts.IsValueType(constrained) || TypeSystem.IsGenericParam(constrained)) && !IsReadOnlyType(constrained))
                    throw Fail(Codes.ByRefEscape, $"constrained. {Show(constrained)} call of {mr.Name} through a readonly reference: the value type's method may write it");
            }
            else if (_ts.IsValueType(dt))
            {
                if (self.K != VK.ByRef || !_ts.Same(self.T, dt)) throw Fail(Codes.CallSignature, $"receiver of {dt.Name}::{mr.Name} must be a reference to {Show(dt)}, not {Show(self)}");
                if (self.Is(VF.ReadOnly) && (md.IsConstructor || !IsReadOnlyMember(md))) throw Fail(Codes.ByRefEscape, $"{mr.Name} may write through a readonly reference to its receiver");
                if (code == Code.Callvirt) throw Fail(Codes.BadCall, $"callvirt of {dt.Name}::{mr.Name}, a method of a value type (call it, or use constrained.)");
                anyLocalRef |= self.Is(VF.Local);
            }
            else
            {
                if (self.K == VK.Null) { }
                else if (self.K != VK.Ref || !_ts.IsAssignableRef(self.T, dt)) throw Fail(Codes.CallSignature, $"receiver of {dt.Name}::{mr.Name} is {Show(self)}, not a {Show(dt)}");
                // III.3.19: a non-virtual call of a virtual method skips the object's overrides, so it is made on 'this' only
                // (by value), or on a boxed value type, or of a method nothing can override.
                if (code == Code.Call && md.IsVirtual && !md.IsFinal && !md.DeclaringType.IsSealed && !self.Is(VF.This) && self.K == VK.Ref
                    && !_ts.IsValueType(self.T))
                    throw Fail(Codes.BadCall, $"non-virtual call of virtual method {mr.Name} on an object other than 'this' (it would skip the object's overrides)");
                // A constructor runs once, on its own new object: called directly only on the uninitialised 'this' (III.1.8.1.4).
                if (md.IsConstructor) throw Fail(Codes.BadCall, $"constructor {Show(dt)}::.ctor called on an object other than the uninitialised 'this'");
                CheckFamilyInstance(md, self, mr);
            }
        }
        if (tail && anyLocalRef) throw Fail(Codes.ByRefEscape, "tail. call passes a reference into the frame that the tail call discards");

        // Ownership: receivers and arguments are borrowed unless the callee claims them.
        if (hasThis && self.Track != 0)
        {
            if (_tr.ClaimsThis(md)) Transfer(s, self.Track, $"{mr.Name}() ends ownership"); else Use(s, self.Track, $"{mr.Name}() on it");
        }
        var outs = new List<(V, TypeReference, int)>();
        for (int i = 0; i < np; i++)
        {
            var a = args[i];
            var pt = TypeSystem.Strip(types[i]);
            if (pt is ByReferenceType brt && _tr.IsTracked(brt.ElementType) && a.K == VK.ByRef)
            {
                if (md.Parameters[i].IsOut) outs.Add((a, brt.ElementType, i));
                else Use(s, a.Track, $"passed by reference to {mr.Name}");
                continue;
            }
            if (a.Track == 0) continue;
            if (_tr.ClaimsParameter(md, i)) Transfer(s, a.Track, $"passed to {mr.Name}, which claims it");
            else Use(s, a.Track, $"passed to {mr.Name}");
        }
        foreach (var (a, et, i) in outs)
        {
            int id = NewTrack(s, 1 + i, et);
            if (a.Home > 0) { int was = s.L[a.Home - 1].Track; s.L[a.Home - 1].Track = id; if (was != id) Dropped(s, was, $"local {a.Home - 1} receives another value from {mr.Name}"); }
            else if (a.Home == CallerHome) s.Own[id] = Transferred;
            else if (a.Home < 0) { int was = s.A[-a.Home - 1].Track; s.A[-a.Home - 1].Track = id; if (was != id) Dropped(s, was, $"argument {-a.Home - 1} receives another value from {mr.Name}"); }
            else if (a.Is(VF.Local)) s.Own[id] = Transferred;
            else { Report(Codes.StoredInHeap, $"a tracked {Show(et)} received into a GC object's field (keep it in a TRef)"); s.Own[id] = Transferred; }
        }

        if (newobj)
        {
            var t = mr.DeclaringType;
            var v = FromType(t);
            if (v.K == VK.Ref && _tr.IsTracked(t)) v.Track = NewTrack(s, 0, t);
            if (v.K == VK.Val && _tr.IsTracked(t)) v.Track = NewTrack(s, 0, t);
            Push(s, v);
            return;
        }
        var rt = TypeSystem.Inflate(mr.ReturnType, mr);
        if (TypeSystem.Strip(rt).FullName == "System.Void") return;
        var r = FromType(rt);
        if (r.K == VK.ByRef)
        {
            if (anyLocalRef) r.F |= VF.Local;
            if (ReturnsReadOnly(md)) r.F |= VF.ReadOnly;
        }
        if (IsTrackedSlot(r)) r.Track = NewTrack(s, 0, rt);
        // IsNull of a tracked value: the branch on it tells where the value is null (nothing to own).
        if (hasThis && self.Track != 0 && md.Name == "get_IsNull" && r.K == VK.I4) { r.F |= VF.NullTest; r.Track = self.Track; }
        Push(s, r);
    }


    private bool IsCtorChain(MethodDefinition callee)
    {
        if (!_m.IsConstructor || _m.IsStatic) return false;
        if (callee.DeclaringType == _m.DeclaringType) return true;
        var b = _m.DeclaringType.BaseType;
        return b != null && _ts.Same(_ts.Resolve(b), callee.DeclaringType);
    }

    private static bool IsInParam(MethodDefinition md, int i)
    {
        var p = md.Parameters[i];
        return p.IsIn || TypeSystem.HasAttribute(p, "System.Runtime.CompilerServices.IsReadOnlyAttribute") || TypeSystem.HasModReq(p.ParameterType, "System.Runtime.InteropServices.InAttribute")
            || TypeSystem.HasAttribute(p, "System.Runtime.CompilerServices.RequiresLocationAttribute");
    }

    private bool IsReadOnlyType(TypeReference t)
    {
        if (TypeSystem.IsGenericParam(t)) return false;
        var d = _ts.Resolve(t);
        return d.IsPrimitive || d.IsEnum || TypeSystem.HasAttribute(d, "System.Runtime.CompilerServices.IsReadOnlyAttribute");
    }

    private static bool ReturnsReadOnly(MethodDefinition md)
        => TypeSystem.HasAttribute(md.MethodReturnType, "System.Runtime.CompilerServices.IsReadOnlyAttribute") || TypeSystem.HasModReq(md.ReturnType, "System.Runtime.InteropServices.InAttribute");

    private static bool IsReadOnlyMember(MethodDefinition md)
        => TypeSystem.HasAttribute(md, "System.Runtime.CompilerServices.IsReadOnlyAttribute") || TypeSystem.HasAttribute(md.DeclaringType, "System.Runtime.CompilerServices.IsReadOnlyAttribute") || md.DeclaringType.IsPrimitive || md.DeclaringType.IsEnum;

    private void CheckDelegate(State s, MethodReference ctor, V obj, V fn)
    {
        if (fn.K != VK.Ftn) throw Fail(Codes.DelegateCtor, "a delegate is constructed without ldftn/ldvirtftn immediately before");
        if (fn.M == null) throw Fail(Codes.DelegateCtor, "a delegate is constructed from function pointers of different methods merged at a join");
        // III.1.8.1.5: the sequences ldftn; newobj and dup; ldvirtftn; newobj, with no branch into them.
        int prev = _cur - 1;
        bool virt = fn.Is(VF.Virtual);
        if (prev < 0 || _ins[prev].OpCode.Code != (virt ? Code.Ldvirtftn : Code.Ldftn)) throw Fail(Codes.DelegateCtor, "ldftn/ldvirtftn must immediately precede the delegate's newobj");
        if (virt && (prev < 1 || _ins[prev - 1].OpCode.Code != Code.Dup)) throw Fail(Codes.DelegateCtor, "ldvirtftn for a delegate must follow dup of the target object");
        if (_join[_cur] || (virt && _join[prev])) throw Fail(Codes.DelegateCtor, "a branch target inside the delegate construction sequence (ldftn/dup; ldvirtftn; newobj)");
        // The method was looked up on the very object the delegate binds (by value, not by type).
        if (virt && (fn.Id == 0 || obj.Id != fn.Id)) throw Fail(Codes.DelegateCtor, "the delegate's target is not the object its method was looked up on (ldvirtftn)");
        var target = fn.M;
        var td = _ts.Resolve(target);
        var invoke = _ts.Resolve(ctor.DeclaringType).Methods.FirstOrDefault(x => x.Name == "Invoke");
        if (invoke == null) throw Fail(Codes.DelegateCtor, $"{Show(ctor.DeclaringType)} has no Invoke method");
        var dArgs = ctor.DeclaringType as GenericInstanceType;
        if (invoke.Parameters.Count != target.Parameters.Count) throw Fail(Codes.DelegateCtor, $"{target.Name} does not match the signature of {Show(ctor.DeclaringType)}");
        for (int i = 0; i < invoke.Parameters.Count; i++)
        {
            var dp = TypeSystem.Subst(invoke.Parameters[i].ParameterType, dArgs, null);
            var mp = TypeSystem.Inflate(target.Parameters[i].ParameterType, target);
            if (!_ts.Same(dp, mp) && !(FromType(dp).K == VK.Ref && FromType(mp).K == VK.Ref && _ts.IsAssignableRef(dp, mp)))
                throw Fail(Codes.DelegateCtor, $"parameter {i + 1} of {target.Name} ({Show(mp)}) does not match {Show(ctor.DeclaringType)} ({Show(dp)})");
            // Invoke's callers may pass read-only references where Invoke takes them read-only: the method must not write them.
            if (TypeSystem.Strip(dp) is ByReferenceType && IsInParam(invoke, i) && !IsInParam(td, i))
                throw Fail(Codes.DelegateCtor, $"parameter {i + 1} of {target.Name} is a writable reference where {Show(ctor.DeclaringType)} passes a read-only one");
        }
        var dr = TypeSystem.Subst(invoke.ReturnType, dArgs, null);
        var mrt = TypeSystem.Inflate(target.ReturnType, target);
        if (!_ts.Same(dr, mrt) && !(FromType(dr).K == VK.Ref && FromType(mrt).K == VK.Ref && _ts.IsAssignableRef(mrt, dr)))
            throw Fail(Codes.DelegateCtor, $"return type of {target.Name} does not match {Show(ctor.DeclaringType)}");
        if (TypeSystem.Strip(mrt) is ByReferenceType && ReturnsReadOnly(td) && !ReturnsReadOnly(invoke))
            throw Fail(Codes.DelegateCtor, $"{target.Name} returns a read-only reference where {Show(ctor.DeclaringType)} returns a writable one");
        if (td.IsStatic)
        {
            if (obj.K != VK.Null) throw Fail(Codes.DelegateCtor, "a delegate to a static method must have a null target");
        }
        else
        {
            if (_ts.IsValueType(target.DeclaringType)) throw Fail(Codes.DelegateCtor, "a delegate to an instance method of a value type");
            if (obj.K != VK.Null && (obj.K != VK.Ref || obj.Is(VF.UninitThis) || !_ts.IsAssignableRef(obj.T, target.DeclaringType)))
                throw Fail(Codes.DelegateCtor, $"delegate target {Show(obj)} is not a {Show(target.DeclaringType)}");
            // III.1.8.1.5.2: ldftn of a virtual method skips its overrides, so it binds 'this' only (or a method nothing overrides).
            if (!virt && td.IsVirtual && !td.IsFinal && !td.DeclaringType.IsSealed && !obj.Is(VF.This) && obj.K != VK.Null)
                throw Fail(Codes.DelegateCtor, $"ldftn of virtual method {td.Name} bound to an object other than 'this' (it would skip the object's overrides; use dup; ldvirtftn)");
            if (!virt) CheckFamilyInstance(td, obj, target);
            if (IsTrackedSlot(obj)) { Report(Codes.StoredInHeap, "a tracked value captured by a delegate (a GC object)"); Transfer(s, obj.Track, "captured"); }
        }
    }

    private void DoRet(State s)
    {
        if (_regions[_cur].Length > 0) throw Fail(Codes.ExceptionRegion, "ret inside a protected region or handler (use leave)");
        var rt = _m.ReturnType;
        int except = 0;
        if (TypeSystem.Strip(rt).FullName == "System.Void")
        {
            if (s.N != 0) throw Fail(Codes.ReturnType, $"ret with {s.N} value(s) on the stack from a void method");
        }
        else
        {
            if (s.N != 1) throw Fail(Codes.ReturnType, $"ret needs exactly the return value on the stack, found {s.N} slot(s)");
            var v = s.S[0];
            Expect(v, rt, Codes.ReturnType, "return value");
            if (v.K == VK.ByRef)
            {
                if (v.Is(VF.Local)) throw Fail(Codes.ByRefEscape, "returns a reference to a local, an argument or this method's frame");
                if (v.Is(VF.ReadOnly) && !ReturnsReadOnly(_m))
                    throw Fail(Codes.ByRefEscape, "returns a readonly reference as a writable one");
            }
            if (IsTrackedSlot(v) && v.Track != 0) { Transfer(s, v.Track, "returned"); except = v.Track; }
        }
        if (_ctorOfClass && !s.ThisInit) throw Fail(Codes.Uninitialized, "constructor returns without calling a base or this constructor");
        CheckLeaks(s, except, "return");
    }
}

using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Merging states where paths join (III.1.8.1.3): the types of stack slots, locals and arguments.</summary>
internal sealed partial class MethodVerifier
{
    private void MergeInto(int target, State st, bool handler = false)
    {
        var head = _at[target];
        if (head == null)
        {
            var c = st.Clone();
            DropDead(c);
            _at[target] = c;
            Enqueue(target, c);
            return;
        }
        int save = _cur;
        if (head.N != st.N) { Report(Codes.StackMerge, $"stack height {st.N} differs from {head.N} at the join IL_{_ins[target].Offset:x4}"); throw new Abort(); }
        // III.1.8.1.4: whether the base constructor ran is known at every instruction (it runs once, on every path).
        if (head.ThisInit != st.ThisInit) { Report(Codes.Uninitialized, $"the paths joining at IL_{_ins[target].Offset:x4} disagree on whether the base constructor ran"); throw new Abort(); }
        // A path that cannot run brings no ownership.
        if (st.Dead && st.Own != null) { st = st.Clone(); st.Own = null; }
        // Paths with other flag values or another finally continuation are kept apart (Disjuncts.cs),
        // up to MaxDisjuncts states; past that they join the last one, as one state.
        State d = null, last = null;
        int count = 0;
        for (var x = head; x != null; x = x.Next) { count++; last = x; if (d == null && SameKey(x, st)) d = x; }
        if (d == null && _flagLocals != null && count < MaxDisjuncts)
        {
            // The stack's types must still merge with the other paths' (III.1.8.1.3), as one state would.
            for (int k = 0; k < st.N; k++)
            {
                MergeSlot(head.S[k], st.S[k], out bool ok);
                if (!ok) { Report(Codes.StackMerge, $"stack slot {k} has incompatible types {Show(head.S[k])} and {Show(st.S[k])} at the join IL_{_ins[target].Offset:x4}"); throw new Abort(); }
            }
            var c = st.Clone();
            DropDead(c);
            last.Next = c;
            Enqueue(target, c);
            return;
        }
        MergePair(target, d ?? last, st);
        _cur = save;
    }

    private void Enqueue(int at, State d)
    {
        if (d.Queued) return;
        d.Queued = true;
        _work.Push((at, d));
    }

    /// <summary>Merges <paramref name="st"/> into the stored state <paramref name="old"/> at <paramref name="target"/> (types, flags, continuation, tracked ids).</summary>
    private void MergePair(int target, State old, State st)
    {
        bool changed = false;
        if (old.Dead && !st.Dead) { old.Dead = false; old.Own = null; changed = true; }
        if (old.Cont != st.Cont && old.Cont != ContUnknown) { old.Cont = ContUnknown; changed = true; }
        bool tracks = HasTracks(old) || HasTracks(st);
        // Types first (the tracked ids are decided below, from both sides at once).
        var ms = tracks ? new V[old.S.Length] : null;
        var ma = tracks ? new V[old.A.Length] : null;
        var ml = tracks ? new V[old.L.Length] : null;
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
        if (changed) Enqueue(target, old);
    }

    private static bool HasTracks(State s)
    {
        if (s.Own != null && s.Own.Count > 0) return true;
        for (int i = 0; i < s.N; i++) if (s.S[i].Track != 0) return true;
        foreach (var v in s.A) if (v.Track != 0) return true;
        foreach (var v in s.L) if (v.Track != 0) return true;
        return false;
    }

    private static bool SameSlot(V a, V b) => a.K == b.K && a.F == b.F && a.Home == b.Home && a.Track == b.Track && a.Id == b.Id && a.C == b.C && ReferenceEquals(a.T, b.T) && ReferenceEquals(a.M, b.M);

    private V MergeVar(V a, V b)
    {
        var r = a;
        r.F = MergeReadOnly(a.F, b.F, a.F | b.F);
        if (a.Home != b.Home) r.Home = 0;
        MergeFacts(ref r, a, b);
        return r;
    }

    /// <summary>What an int32 is known to be holds after a join only where both sides agree: the same constant, the same test.</summary>
    private static void MergeFacts(ref V r, in V a, in V b)
    {
        const VF tests = VF.NullTest | VF.OwnedTest | VF.RawResult;
        r.F = (r.F & ~(tests | VF.Known)) | (a.F & b.F & tests);
        if (a.Is(VF.Known) && b.Is(VF.Known) && a.C == b.C) { r.F |= VF.Known; r.C = a.C; }
        else r.C = 0;
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
        r.F = (a.F | b.F) & ~VF.This;
        r.F |= a.F & b.F & VF.This;
        r.F = MergeReadOnly(a.F, b.F, r.F);
        MergeFacts(ref r, a, b);
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
}

using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Merging states where paths join (III.1.8.1.3): the types of stack slots, locals and arguments.</summary>
internal sealed partial class MethodVerifier
{
    private void MergeInto(int target, State st, bool handler = false)
    {
        var old = _at[target];
        if (old == null)
        {
            var c = st.Clone();
            DropDead(c);
            _at[target] = c;
            if (!_queued[target]) { _queued[target] = true; _work.Push(target); }
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
        if (changed && !_queued[target]) { _queued[target] = true; _work.Push(target); }
    }

    private static bool HasTracks(State s)
    {
        if (s.Own != null && s.Own.Count > 0) return true;
        for (int i = 0; i < s.N; i++) if (s.S[i].Track != 0) return true;
        foreach (var v in s.A) if (v.Track != 0) return true;
        foreach (var v in s.L) if (v.Track != 0) return true;
        return false;
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
}

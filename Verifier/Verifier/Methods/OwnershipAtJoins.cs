using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Tracked ids and their ownership where paths join (the ownership half of a merge).</summary>
internal sealed partial class MethodVerifier
{
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
            const VF tests = VF.NullTest | VF.OwnedTest | VF.RawResult;
            if (a.Track == 0 && b.Track == 0) { m.Track = 0; m.F &= ~tests; return; }
            // A test of a receive's results names the receive (its results are ids of that call): the same on both sides, it stays.
            if (a.Track == b.Track && _recvGroups.Contains(a.Track)) { m.Track = a.Track; return; }
            if (groups.TryGetValue((a.Track, Rn(b.Track)), out int id)) m.Track = id;
            else { m.Track = 0; m.F &= ~tests; }
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
}

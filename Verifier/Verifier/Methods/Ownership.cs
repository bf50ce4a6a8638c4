using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>
/// The ownership tracker: tracked values (exchange blocks, endpoints, messages; see TrackedTypes)
/// are ids whose state is a set of {owned, transferred, borrowed}; these are the hooks the opcode
/// families call when a tracked value is made, read, given away, stored or dropped.
/// </summary>
internal sealed partial class MethodVerifier
{
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
            Report(Codes.TransferNotOwned, $"{what}: the {TrackName(id)} from {Origin(id)} is borrowed ({(_refParams.Contains(id) ? "a ref parameter: the value stays the caller's" : "the parameter has no [Claims]")}), so this method cannot give it away");
            return;
        }
        if ((b & Transferred) != 0)
            Report(Codes.DoubleTransfer, $"{what}: the {TrackName(id)} from {Origin(id)} {((b & ~Mixed) == Transferred ? "was" : "may have been")} transferred already{Once(id)}");
        s.Own[id] = (byte)(Transferred | (b & Mixed));
    }

    private void CheckLeaks(State s, int except, string where, HashSet<int> checkedLater = null)
    {
        if (s.Own == null) return;
        foreach (var (id, b) in s.Own)
        {
            if (id == except || (b & Owned) == 0 || IsAffineId(id) || checkedLater?.Contains(id) == true) continue;
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
}

using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>
/// What a branch knows about its condition: int32 constants (a `bool sent` flag: ldc, dup, stloc,
/// ldloc) and tests of tracked values (IsNull, an endpoint against null, a receive's result, and
/// their negations and comparisons with constants). On an edge the condition rules out, the state
/// is Dead (type-checked, no ownership); on an edge where a test says a value is null, that value
/// is not owned there.
/// </summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Receive calls (RecvX) by their group id ((offset + 1) &lt;&lt; 4): their tracked out values are the ids group | (1 + parameter index).</summary>
    private readonly HashSet<int> _recvGroups = new();

    private static V Const(int c) => new() { K = VK.I4, F = VF.Known, C = c };

    private static bool IsTest(in V v) => v.K == VK.I4 && v.Track != 0 && (v.F & (VF.NullTest | VF.OwnedTest)) != 0;

    private bool IsTrackedRef(in V v) => v.K == VK.Ref && v.Track != 0 && _tr.IsTracked(v.T);

    /// <summary>A test with the other meaning (a bool's `!`, `== 0`): true where <paramref name="t"/> is false.</summary>
    private static V Negated(in V t) => new() { K = VK.I4, Track = t.Track, F = t.Is(VF.NullTest) ? VF.OwnedTest : VF.NullTest };

    /// <summary>
    /// Assumes <paramref name="v"/> is nonzero (true, not null) or zero on this edge: returns false when
    /// that cannot be (a known constant says otherwise); drops the ownership a test says is null here.
    /// </summary>
    private bool Assume(State s, in V v, bool nonzero)
    {
        if (v.K == VK.I4 && v.Is(VF.Known)) return (v.C != 0) == nonzero;
        if (v.K == VK.Null) return !nonzero;
        if (IsTest(v) && nonzero == v.Is(VF.NullTest)) NullOn(s, v.Track);
        else if (IsTrackedRef(v) && !nonzero) NullOn(s, v.Track);
        return true;
    }

    /// <summary>Assumes <paramref name="a"/> and <paramref name="b"/> are equal (or not) on this edge; false when that cannot be.</summary>
    private bool AssumeEqual(State s, in V a, in V b, bool equal)
    {
        if (a.K == VK.I4 && b.K == VK.I4 && a.Is(VF.Known) && b.Is(VF.Known)) return (a.C == b.C) == equal;
        if (a.Is(VF.Known) && b.K == VK.I4) return CompareTest(s, b, a.C, equal);
        if (b.Is(VF.Known) && a.K == VK.I4) return CompareTest(s, a, b.C, equal);
        // An endpoint against null.
        if (equal && IsTrackedRef(a) && b.K == VK.Null) NullOn(s, a.Track);
        if (equal && IsTrackedRef(b) && a.K == VK.Null) NullOn(s, b.Track);
        return true;
    }

    /// <summary>A value compared with constant <paramref name="c"/>: t == c (or t != c) on this edge.</summary>
    private bool CompareTest(State s, in V t, int c, bool equal)
    {
        if (c == 0) return Assume(s, t, !equal);
        if (equal) return Assume(s, t, true);
        // t != c for c != 0: a bool test is then 0 when c is 1; a receive's result can be anything else.
        if (c == 1 && IsTest(t) && !t.Is(VF.RawResult)) return Assume(s, t, false);
        return true;
    }

    /// <summary>ceq: a constant when both are known, a test when one side is a test and the other a constant (or null).</summary>
    private V CeqResult(in V a, in V b)
    {
        if (a.K == VK.I4 && b.K == VK.I4 && a.Is(VF.Known) && b.Is(VF.Known)) return Const(a.C == b.C ? 1 : 0);
        if (a.Is(VF.Known) && IsTest(b)) return CompareResult(b, a.C);
        if (b.Is(VF.Known) && IsTest(a)) return CompareResult(a, b.C);
        if (IsTrackedRef(a) && b.K == VK.Null) return new V { K = VK.I4, F = VF.NullTest, Track = a.Track };
        if (IsTrackedRef(b) && a.K == VK.Null) return new V { K = VK.I4, F = VF.NullTest, Track = b.Track };
        return V.Of(VK.I4);
    }

    private static V CompareResult(in V t, int c)
    {
        if (c == 0) return Negated(t);
        // t == c for c != 0 means t is nonzero: for a NullTest (or a receive's result) the values are null.
        if (t.Is(VF.NullTest)) return new V { K = VK.I4, F = VF.NullTest, Track = t.Track };
        if (c == 1) return new V { K = VK.I4, F = VF.OwnedTest, Track = t.Track };
        return V.Of(VK.I4);
    }

    /// <summary>cgt.un of an endpoint and null (`ep != null`): true when it is not null.</summary>
    private V CgtUnResult(in V a, in V b)
    {
        if (IsTrackedRef(a) && b.K == VK.Null) return new V { K = VK.I4, F = VF.OwnedTest, Track = a.Track };
        // t > 0 unsigned is t != 0 (Debug code's `r != ReceiveResult.Message`): the same test, as a bool.
        if (IsTest(a) && b.Is(VF.Known) && b.C == 0) return new V { K = VK.I4, F = a.F & (VF.NullTest | VF.OwnedTest), Track = a.Track };
        if (a.K == VK.I4 && b.K == VK.I4 && a.Is(VF.Known) && b.Is(VF.Known)) return Const((uint)a.C > (uint)b.C ? 1 : 0);
        return V.Of(VK.I4);
    }

    /// <summary>The value(s) <paramref name="id"/> names are null on this edge: nothing to own (unless another slot of a mixed group may hold it).</summary>
    private static void NullOn(State s, int id, HashSet<int> recvGroups)
    {
        if (s.Own == null) return;
        if (recvGroups.Contains(id))
        {
            for (int sub = 1; sub < 16; sub++) NullOne(s, id | sub);
            return;
        }
        NullOne(s, id);
    }

    private void NullOn(State s, int id) => NullOn(s, id, _recvGroups);

    private static void NullOne(State s, int id)
    {
        if (s.Own.TryGetValue(id, out byte b) && (b & Mixed) == 0) s.Own.Remove(id);
    }

    /// <summary>An edge the condition rules out: it is still type-checked, but it carries no ownership.</summary>
    private static void MakeDead(State s)
    {
        s.Dead = true;
        s.Own = null;
    }

    /// <summary>A slot's knowledge is about to be replaced: a new receive at the same call makes the older result's test meaningless.</summary>
    private static void ForgetTests(State s, int group)
    {
        const VF tests = VF.NullTest | VF.OwnedTest | VF.RawResult;
        for (int i = 0; i < s.N; i++) if (s.S[i].K == VK.I4 && s.S[i].Track == group) { s.S[i].Track = 0; s.S[i].F &= ~tests; }
        for (int i = 0; i < s.A.Length; i++) if (s.A[i].K == VK.I4 && s.A[i].Track == group) { s.A[i].Track = 0; s.A[i].F &= ~tests; }
        for (int i = 0; i < s.L.Length; i++) if (s.L[i].K == VK.I4 && s.L[i].Track == group) { s.L[i].Track = 0; s.L[i].F &= ~tests; }
    }
}

using System.Runtime.CompilerServices;

namespace Singularity.Tests.FaultCampaign.Samples;

// Code the operator tests mutate: each method has one obvious site for one operator. They run in a
// copy of this assembly, mutated and loaded on its own (MutatedAssembly). NoInlining keeps each a
// real call in IL for the call-site operators.
public sealed class Box
{
    public int Value;
    public List<int> Seen = new();
}

public static class Samples
{
    public static int Max(int a, int b) => a > b ? a : b;

    public static int AddTen(int x) => x + 10;

    public static int CountBelow(int n)
    {
        int count = 0;
        for (int i = 0; i < n; i++) count++;
        return count;
    }

    public static int Remember(Box box, int v)
    {
        Note(box, v);
        return box.Seen.Count;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Note(Box box, int v) => box.Seen.Add(v);

    public static int Store(Box box, int v)
    {
        box.Value = v;
        return box.Value;
    }

    public static int Difference(int x, int y) => Subtract(x, y);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Subtract(int a, int b) => a - b;

    public static int LengthOf(string s) => s.Length;

    public static int Halve(int n)
    {
        int steps = 0;
        while (n > 1) { n /= 2; steps++; }
        return steps;
    }

    public static int Twice(Box box) { Note(box, 1); return box.Seen.Count; }

    public static int Instance(Box box) => box.Value + 1;
}

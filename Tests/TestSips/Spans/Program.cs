using System;
using System.Runtime.CompilerServices;
using System.Text;
using Singularity;

// Span<T> and ReadOnlySpan<T> inside a SIP (issue 15): slicing, foreach, CopyTo, Fill, Clear,
// IndexOf, SequenceEqual, a span over a string, the checks that refuse a range outside the array,
// and a span that is the only thing keeping its array alive while the heap is collected and
// refilled. Every check computes its answer and prints it; the last line counts failures.
public sealed class Program
{
    private sealed class Tally { public int Checks, Failed; }
    private readonly Tally t = new Tally();

    private readonly struct Point : IEquatable<Point>
    {
        public readonly int X, Y;
        public Point(int x, int y) { X = x; Y = y; }
        public bool Equals(Point other) => X == other.X && Y == other.Y;
        public override bool Equals(object obj) => obj is Point q && Equals(q);
        public override int GetHashCode() => X * 31 + Y;
    }

    public static int Main() => new Program().Run();

    private int Run()
    {
        Basics();
        Copies();
        Searches();
        Strings();
        Checks();
        SpanKeepsItsArray();
        Debug.WriteLine("spans: " + t.Checks.ToString() + " checks, " + t.Failed.ToString() + " failed");
        return t.Failed == 0 ? 0 : 1;
    }

    private void Check(string name, string actual, string expected)
    {
        t.Checks++;
        if (actual == expected) Debug.WriteLine("spans: " + name + " = " + actual);
        else
        {
            t.Failed++;
            Debug.WriteLine("spans: " + name + " FAILED: " + actual + " (expected " + expected + ")");
        }
    }

    // Arrays from a list of numbers (the checks below were written before array initialisers
    // compiled in SIPs; "array initialiser" in Basics covers those now).
    private static int[] Ints(string csv)
    {
        int count = 1;
        foreach (char c in csv.AsSpan()) if (c == ',') count++;
        var result = new int[count];
        int k = 0;
        foreach (char c in csv.AsSpan())
        {
            if (c == ',') k++;
            else result[k] = result[k] * 10 + (c - '0');
        }
        return result;
    }

    private static string Show(ReadOnlySpan<int> s)
    {
        var sb = new StringBuilder();
        foreach (int x in s) { if (sb.Length > 0) sb.Append(','); sb.Append(x); }
        return sb.ToString();
    }

    private void Basics()
    {
        // An array initialiser: ldtoken of the constant data + RuntimeHelpers.InitializeArray, which ilc expands.
        int[] fib = new int[] { 5, 8, 13, 21 };
        Check("array initialiser", fib.AsSpan(1, 3).ToArray().Length.ToString() + "/" + fib[2].ToString() + "/" + fib[3].ToString(), "3/13/21");
        var a = new int[10];
        for (int i = 0; i < a.Length; i++) a[i] = i * i;
        Span<int> all = a;
        Span<int> mid = all.Slice(2, 5);
        Check("slice", Show(mid), "4,9,16,25,36");
        mid[0] = 400;
        Check("write through slice", a[2].ToString(), "400");
        int sum = 0;
        foreach (ref int x in mid) { x += 1; sum += x; }
        Check("foreach by ref", sum.ToString() + "/" + a[6].ToString(), "491/37");
        Check("slice of slice", Show(all.Slice(7).Slice(1)), "64,81");
        Check("length and empty", all.Length.ToString() + all.Slice(10).IsEmpty.ToString() + Span<int>.Empty.Length.ToString(), "10True0");
        Span<int> asSpan = a.AsSpan(8);
        Check("AsSpan", Show(asSpan), "64,81");
        ReadOnlySpan<int> ro = mid;
        Check("span to read-only", ro[1].ToString(), "10");
    }

    private void Copies()
    {
        var src = Ints("1,2,3,4,5,6");
        var dst = new int[8];
        src.AsSpan(1, 4).CopyTo(dst.AsSpan(2));
        Check("CopyTo", Show(dst), "0,0,2,3,4,5,0,0");
        Check("TryCopyTo too short", src.AsSpan().TryCopyTo(dst.AsSpan(4)).ToString() + dst[4].ToString(), "False4");
        Span<int> s = src;
        s.Slice(0, 4).CopyTo(s.Slice(2));      // overlapping, upwards
        Check("CopyTo overlapping", Show(src), "1,2,1,2,3,4");
        dst.AsSpan(1, 3).Fill(7);
        Check("Fill", Show(dst), "0,7,7,7,4,5,0,0");
        dst.AsSpan(2, 4).Clear();
        Check("Clear", Show(dst), "0,7,0,0,0,0,0,0");
        int[] copy = src.AsSpan(3).ToArray();
        copy[0] = 99;
        Check("ToArray", Show(copy) + "/" + src[3].ToString(), "99,3,4/2");
        var names = new string[] { "a", "b", "c" };
        var moved = new string[3];
        names.AsSpan(1).CopyTo(moved);
        Check("CopyTo references", (moved[0] + moved[1] + (moved[2] == null).ToString()), "bcTrue");
    }

    private void Searches()
    {
        var a = Ints("5,8,13,8,21");
        Span<int> s = a;
        Check("IndexOf", s.IndexOf(8).ToString() + s.Slice(2).IndexOf(8).ToString() + s.IndexOf(4).ToString(), "11-1");
        Check("SequenceEqual", s.Slice(1, 1).SequenceEqual(s.Slice(3, 1)).ToString() + s.Slice(0, 2).SequenceEqual(s.Slice(1, 2)).ToString(), "TrueFalse");
        var points = new Point[] { new Point(1, 2), new Point(3, 4), new Point(5, 6) };
        ReadOnlySpan<Point> p = points;
        Check("IndexOf structs", p.IndexOf(new Point(5, 6)).ToString() + p.IndexOf(new Point(4, 3)).ToString(), "2-1");
    }

    private void Strings()
    {
        string text = "key=value;other=1";
        ReadOnlySpan<char> span = text.AsSpan();
        int eq = span.IndexOf('=');
        ReadOnlySpan<char> key = span.Slice(0, eq);
        Check("span over a string", eq.ToString() + key.Length.ToString() + key[2].ToString(), "33y");
        int semi = span.IndexOf(';');
        ReadOnlySpan<char> value = text.AsSpan(eq + 1, semi - eq - 1);
        var sb = new StringBuilder();
        foreach (char c in value) sb.Append(char.ToUpper(c));
        Check("foreach over string span", sb.ToString(), "VALUE");
        Check("string SequenceEqual", value.SequenceEqual("value".AsSpan()).ToString() + key.SequenceEqual("kez").ToString(), "TrueFalse");
        Check("StringBuilder append span", new StringBuilder().Append('<').Append(key).Append(text.AsSpan(semi + 1, 5)).Append('>').ToString(), "<keyother>");
        ReadOnlySpan<char> implicitSpan = "abc";
        char[] chars = implicitSpan.ToArray();
        Check("string to span", implicitSpan.Length.ToString() + chars[0].ToString() + chars[2].ToString(), "3ac");
    }

    private void Checks()
    {
        var a = new int[4];
        Check("index past end", Throws(() => { Span<int> s = a; s[4] = 1; }).ToString(), "True");
        Check("negative index", Throws(() => { ReadOnlySpan<int> s = a; int x = s[-1]; }).ToString(), "True");
        Check("slice past end", Throws(() => { Span<int> s = a; s.Slice(3, 2); }).ToString(), "True");
        Check("slice with huge length", Throws(() => { Span<int> s = a; s.Slice(1, int.MaxValue); }).ToString(), "True");
        Check("array range past end", Throws(() => new Span<int>(a, 2, 3)).ToString(), "True");
        Check("string range past end", Throws(() => "abc".AsSpan(2, 2)).ToString(), "True");
        Check("CopyTo too short", Throws(() => a.AsSpan().CopyTo(new int[3])).ToString(), "True");
        object[] covariant = new string[2];
        bool mismatch = false;
        try { Span<object> s = covariant; s[0] = new object(); }
        catch (ArrayTypeMismatchException) { mismatch = true; }
        Check("covariant array refused", mismatch.ToString() + (covariant[0] == null).ToString(), "TrueTrue");
        ReadOnlySpan<object> ro = covariant;
        Check("covariant array read-only", ro.Length.ToString(), "2");
    }

    private delegate void Act();

    private static bool Throws(Act a)
    {
        try { a(); return false; }
        catch (IndexOutOfRangeException) { return true; }
        catch (ArgumentException) { return true; }
    }

    // The array is reachable only through the span's interior reference on this stack (the method
    // that made it returned, and nothing else holds it) while the SIP collects and refills its heap
    // with arrays of the same size: if the collector missed the interior pointer, the block would be
    // reused and the pattern overwritten.
    private void SpanKeepsItsArray()
    {
        ulong before = Sip.Collections;
        Span<int> only = MakeSpan();
        int junk = Scrub(64);           // overwrite the stack MakeSpan used: no stale copy of the array's start
        junk = 0;
        for (int round = 0; round < 4; round++)
        {
            Sip.Collect();
            for (int i = 0; i < 200; i++) { var g = new int[256]; for (int j = 0; j < g.Length; j++) g[j] = -1; junk += g[i]; }
        }
        int bad = 0;
        for (int i = 0; i < only.Length; i++) if (only[i] != (i + 16) * 3 + 1) bad++;
        Check("span keeps its array alive", bad.ToString() + "/" + (Sip.Collections - before >= 4).ToString() + "/" + (junk == -800).ToString(), "0/True/True");
    }

    // Recursion whose zero-initialised frames cover the stack below the caller's frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Scrub(int depth)
    {
        long a = depth, b = depth * 2, c = depth * 3, d = depth * 4;
        return depth == 0 ? 0 : Scrub(depth - 1) + (int)((a + b + c + d) & 1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Span<int> MakeSpan()
    {
        var a = new int[256];
        for (int i = 0; i < a.Length; i++) a[i] = i * 3 + 1;
        return a.AsSpan(16, 200);
    }
}

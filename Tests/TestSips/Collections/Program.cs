using System;
using System.Collections.Generic;
using System.Text;
using Singularity;

// The C# a programmer expects inside a SIP (issue 15): generic collections, foreach, iterators,
// tuples, StringBuilder, parsing. Every check computes its answer and prints it, and the test
// compares the printed values with what .NET gives for the same code; the last line counts failures.
public sealed class Program
{
    // SIPs have no mutable statics (the verifier refuses them): the tally is an instance field.
    private sealed class Tally { public int Checks, Failed; public bool IteratorFinished; }
    private readonly Tally t = new Tally();

    private enum Color : byte { Red, Green, Blue }

    private readonly struct Point : IEquatable<Point>
    {
        public readonly int X, Y;
        public Point(int x, int y) { X = x; Y = y; }
        public bool Equals(Point other) => X == other.X && Y == other.Y;
        public override bool Equals(object obj) => obj is Point p && Equals(p);
        public override int GetHashCode() => X * 31 + Y;
    }

    private sealed class Node { public string Name; }

    public static int Main() =>
        Sip.Arguments == "variance" ? Variance() : Sip.Arguments == "deep" ? Deep() : new Program().Run();

    // Unbounded recursion through interface calls: every level passes through the dispatch stub and
    // the core library's resolver, so the stack runs out in any of them. Only this SIP may fail.
    private interface IStep { int Step(int n); }
    private sealed class Stepper : IStep
    {
        public IStep Next;
        public int Step(int n) => Next.Step(n + 1) + 1;
    }

    private static int Deep()
    {
        var steppers = new List<IStep> { new Stepper() };
        var s = (Stepper)steppers[0];
        s.Next = steppers[0];
        Debug.WriteLine("collections: recursing through interface calls");
        int depth = steppers[0].Step(0);
        Debug.WriteLine("collections: returned from depth " + depth.ToString());
        return 0;
    }

    // A variant interface of the SIP's own: C# allows IProducer<string> as IProducer<object>, but
    // the core library dispatches and casts on exact interface types only. A cast is then an
    // InvalidCastException; a call through the variant view cannot be resolved and must end this
    // SIP with a clear reason, never jump anywhere.
    private interface IProducer<out T> { T Make(); }
    private sealed class Words : IProducer<string> { public string Make() => "word"; }

    private static int Variance()
    {
        // Through a list, so that ilc cannot see the object's type and decide the cast at build time.
        var producers = new List<IProducer<string>> { new Words() };
        var objects = new List<object> { producers[0] };
        bool castRefused = false;
        try { var p = (IProducer<object>)objects[0]; }
        catch (InvalidCastException) { castRefused = true; }
        Debug.WriteLine("collections: variant cast refused = " + castRefused.ToString());
        IProducer<object> view = producers[0];
        Debug.WriteLine("collections: calling through the variant view");
        object made = view.Make();
        Debug.WriteLine("collections: variant call returned " + made.ToString());
        return 0;
    }

    private int Run()
    {
        Lists();
        Dictionaries();
        SetsQueuesStacks();
        Iterators();
        Tuples();
        Text();
        Debug.WriteLine("collections: " + t.Checks.ToString() + " checks, " + t.Failed.ToString() + " failed");
        return t.Failed == 0 ? 0 : 1;
    }

    private void Check(string name, string actual, string expected)
    {
        t.Checks++;
        if (actual == expected) Debug.WriteLine("collections: " + name + " = " + actual);
        else
        {
            t.Failed++;
            Debug.WriteLine("collections: " + name + " FAILED: " + actual + " (expected " + expected + ")");
        }
    }

    private void Lists()
    {
        var squares = new List<int>();
        for (int i = 1; i <= 1000; i++) squares.Add(i * i);
        long sum = 0;
        foreach (int s in squares) sum += s;
        Check("list sum", sum.ToString(), "333833500");
        squares.RemoveAll(x => x % 2 == 0);
        Check("list odd count", squares.Count.ToString(), "500");
        var words = new List<string> { "pear", "apple", "fig", "banana" };
        words.Sort((a, b) => a.Length - b.Length);
        Check("list sort", Join(words), "fig,pear,apple,banana");
        Check("list indexof", words.IndexOf("apple").ToString(), "2");
        words.Insert(0, "kiwi");
        words.Remove("fig");
        Check("list edit", Join(words), "kiwi,pear,apple,banana");
        bool threw = false;
        try { foreach (string w in words) if (w == "pear") words.Add("plum"); }
        catch (InvalidOperationException) { threw = true; }
        Check("list changed during foreach", threw.ToString(), "True");
        threw = false;
        try { int x = squares[500]; }
        catch (ArgumentOutOfRangeException) { threw = true; }
        Check("list index checked", threw.ToString(), "True");
    }

    private void Dictionaries()
    {
        var counts = new Dictionary<string, int>();
        string text = "the quick brown fox jumps over the lazy dog the end";
        foreach (string w in Singularity.Text.Words.Split(text))
            counts[w] = counts.TryGetValue(w, out int n) ? n + 1 : 1;
        Check("dict string keys", counts["the"].ToString() + "/" + counts.Count.ToString(), "3/9");
        var big = new Dictionary<int, int>();
        for (int i = 0; i < 5000; i++) big[i * 7919 % 10007] = i;
        for (int i = 0; i < 5000; i += 2) big.Remove(i * 7919 % 10007);
        long check = 0;
        foreach (KeyValuePair<int, int> kv in big) check += kv.Key ^ kv.Value;
        Check("dict int keys", big.Count.ToString() + "/" + check.ToString(), "2500/" + Expected());
        var byColor = new Dictionary<Color, string> { [Color.Red] = "r", [Color.Blue] = "b" };
        Check("dict enum keys", byColor[Color.Blue] + byColor.ContainsKey(Color.Green).ToString(), "bFalse");
        var grid = new Dictionary<Point, int>();
        grid[new Point(1, 2)] = 12;
        grid[new Point(2, 1)] = 21;
        Check("dict struct keys", grid[new Point(2, 1)].ToString(), "21");
        var pairs = new Dictionary<(int, string), int>();
        pairs[(1, "a")] = 1;
        pairs[(1, "b")] = 2;
        Check("dict tuple keys", pairs[(1, "b")].ToString() + pairs.ContainsKey((2, "a")).ToString(), "2False");
        var node = new Node { Name = "n" };
        var byObject = new Dictionary<Node, int> { [node] = 5 };
        Check("dict object keys", byObject[node].ToString() + byObject.ContainsKey(new Node { Name = "n" }).ToString(), "5False");
        bool threw = false;
        try { int x = counts["absent"]; }
        catch (KeyNotFoundException) { threw = true; }
        Check("dict missing key", threw.ToString(), "True");
        threw = false;
        try { counts.Add("the", 1); }
        catch (ArgumentException) { threw = true; }
        Check("dict duplicate add", threw.ToString(), "True");
    }

    // The same computation as "dict int keys", written without a dictionary.
    private string Expected()
    {
        var last = new int[10007];
        for (int i = 0; i < last.Length; i++) last[i] = -1;
        for (int i = 0; i < 5000; i++) last[i * 7919 % 10007] = i;
        for (int i = 0; i < 5000; i += 2) last[i * 7919 % 10007] = -1;
        long check = 0;
        for (int k = 0; k < last.Length; k++) if (last[k] >= 0) check += k ^ last[k];
        return check.ToString();
    }

    private void SetsQueuesStacks()
    {
        var seen = new HashSet<int>();
        int duplicates = 0;
        for (int i = 0; i < 300; i++) if (!seen.Add(i * i % 97)) duplicates++;
        Check("hashset", seen.Count.ToString() + "/" + duplicates.ToString(), "49/251");
        var q = new Queue<string>();
        for (int i = 0; i < 10; i++) q.Enqueue(i.ToString());
        var sb = new StringBuilder();
        while (q.Count > 3) sb.Append(q.Dequeue());
        q.Enqueue("x");
        while (q.TryDequeue(out string s)) sb.Append(s);
        Check("queue", sb.ToString(), "0123456789x");
        var st = new Stack<int>();
        for (int i = 0; i < 5; i++) st.Push(i);
        sb.Clear();
        while (st.TryPop(out int v)) sb.Append(v);
        Check("stack", sb.ToString(), "43210");
    }

    private IEnumerable<int> Fibonacci(int count)
    {
        int a = 0, b = 1;
        for (int i = 0; i < count; i++)
        {
            yield return a;
            (a, b) = (b, a + b);
        }
    }

    private IEnumerable<string> Lines(string[] parts)
    {
        try
        {
            foreach (string p in parts) yield return "<" + p + ">";
        }
        finally
        {
            t.IteratorFinished = true;
        }
    }


    private void Iterators()
    {
        var sb = new StringBuilder();
        foreach (int f in Fibonacci(12)) sb.Append(f).Append(' ');
        Check("iterator", sb.ToString(), "0 1 1 2 3 5 8 13 21 34 55 89 ");
        var copy = new List<int>(Fibonacci(20));
        Check("iterator to list", copy[19].ToString(), "4181");
        sb.Clear();
        foreach (string line in Lines(new[] { "a", "b", "c" }))
        {
            sb.Append(line);
            if (line == "<b>") break;
        }
        Check("iterator finally on break", sb.ToString() + t.IteratorFinished.ToString(), "<a><b>True");
        IEnumerable<int> seq = copy;
        int total = 0;
        foreach (int x in seq) total += x;
        Check("list as IEnumerable", total.ToString(), "10945");
        IEnumerable<int> missing = copy.Count > 0 ? null : seq;
        bool threw = false;
        try { foreach (int x in missing) total += x; }
        catch (NullReferenceException) { threw = true; }
        Check("interface call on null", threw.ToString(), "True");
    }

    private (int min, int max, double mean) Stats(List<int> values)
    {
        int min = int.MaxValue, max = int.MinValue;
        long sum = 0;
        foreach (int v in values) { if (v < min) min = v; if (v > max) max = v; sum += v; }
        return (min, max, (double)sum / values.Count);
    }

    private void Tuples()
    {
        var (min, max, mean) = Stats(new List<int> { 4, 9, -2, 7 });
        Check("tuple return", min.ToString() + "," + max.ToString() + "," + ((int)(mean * 100)).ToString(), "-2,9,450");
        (string name, int age) person = ("ada", 36);
        Check("named tuple", person.name + person.age.ToString(), "ada36");
        Check("tuple equality", ((1, "x") == (1, "x")).ToString() + (1, "x").Equals((1, "y")).ToString(), "TrueFalse");
    }

    private void Text()
    {
        Check("int parse", (int.Parse("-2147483648") + int.Parse("+17")).ToString(), "-2147483631");
        Check("int tryparse", int.TryParse("2147483648", out int big).ToString() + int.TryParse("12a", out big).ToString() + int.TryParse("", out big).ToString(), "FalseFalseFalse");
        Check("long parse", long.Parse("9223372036854775807").ToString(), "9223372036854775807");
        Check("byte tryparse", byte.TryParse("255", out byte b).ToString() + b.ToString() + byte.TryParse("256", out b).ToString(), "True255False");
        bool threw = false;
        try { int.Parse("x"); }
        catch (FormatException) { threw = true; }
        Check("parse error", threw.ToString(), "True");
        var sb = new StringBuilder();
        for (int i = 0; i < 100; i++) sb.Append('a', 3).Append(i);
        Check("stringbuilder", sb.Length.ToString() + sb[4].ToString(), "490a");
        object boxed = Color.Green;
        Check("enum equals", boxed.Equals(Color.Green).ToString() + boxed.Equals(Color.Blue).ToString(), "TrueFalse");
    }

    private string Join(List<string> items)
    {
        var sb = new StringBuilder();
        foreach (string s in items) { if (sb.Length > 0) sb.Append(','); sb.Append(s); }
        return sb.ToString();
    }
}

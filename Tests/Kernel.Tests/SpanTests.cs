namespace Singularity.Tests.Kernel;

/// <summary>
/// Span&lt;T&gt; and ReadOnlySpan&lt;T&gt; in a verified SIP (issue 15): slicing, foreach by value and
/// by ref, CopyTo (overlapping too), Fill, Clear, ToArray, IndexOf, SequenceEqual, spans over
/// strings, the range checks, the covariant-array check, and an array that only a span's
/// interior reference on the stack keeps alive across collections that refill the heap. The
/// fixture, Tests/TestSips/Spans, computes each value and prints it; the expected values here are
/// what .NET gives for the same code.
/// </summary>
public class SpanTests
{
    [Fact]
    public void SpansOverArraysAndStringsWorkInAVerifiedSip()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "shutdown",
            Sips = new[] { "spans" },
            Timeout = TimeSpan.FromSeconds(120),
        });
        boot.DoesNotContain("KERNEL PANIC").Exited(QemuExit.Success);
        var expected = new (string Name, string Value)[]
        {
            ("array initialiser", "3/13/21"),
            ("slice", "4,9,16,25,36"),
            ("write through slice", "400"),
            ("foreach by ref", "491/37"),
            ("slice of slice", "64,81"),
            ("length and empty", "10True0"),
            ("AsSpan", "64,81"),
            ("span to read-only", "10"),
            ("CopyTo", "0,0,2,3,4,5,0,0"),
            ("TryCopyTo too short", "False4"),
            ("CopyTo overlapping", "1,2,1,2,3,4"),
            ("Fill", "0,7,7,7,4,5,0,0"),
            ("Clear", "0,7,0,0,0,0,0,0"),
            ("ToArray", "99,3,4/2"),
            ("CopyTo references", "bcTrue"),
            ("IndexOf", "11-1"),
            ("SequenceEqual", "TrueFalse"),
            ("IndexOf structs", "2-1"),
            ("span over a string", "33y"),
            ("foreach over string span", "VALUE"),
            ("string SequenceEqual", "TrueFalse"),
            ("StringBuilder append span", "<keyother>"),
            ("string to span", "3ac"),
            ("index past end", "True"),
            ("negative index", "True"),
            ("slice past end", "True"),
            ("slice with huge length", "True"),
            ("array range past end", "True"),
            ("string range past end", "True"),
            ("CopyTo too short", "True"),
            ("covariant array refused", "TrueTrue"),
            ("covariant array read-only", "2"),
            ("span keeps its array alive", "0/True/True"),
        };
        foreach (var (name, value) in expected)
            boot.Contains("spans: " + name + " = " + value);
        boot.DoesNotContain("FAILED");
        var m = boot.Match(@"spans: (\d+) checks, (\d+) failed");
        boot.Check(int.Parse(m.Groups[1].Value) == expected.Length, "the fixture ran " + m.Groups[1].Value + " checks; the test names " + expected.Length);
        boot.Check(m.Groups[2].Value == "0", m.Groups[2].Value + " checks failed");
        boot.Contains("sip spans#1 exited with code 0");
    }
}

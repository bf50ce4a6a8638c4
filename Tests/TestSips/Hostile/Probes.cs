using System;
using Singularity;

/// <summary>
/// Runs and reports the probes of one mode: each misuse must be refused with an exception a SIP
/// can catch (ArgumentException, InvalidOperationException, IndexOutOfRangeException,
/// OutOfMemoryException, OverflowException, InvalidCastException), and each check must hold.
/// </summary>
internal sealed class Probes
{
    private readonly string _prefix;
    private int _count, _unexpected;

    public Probes(string mode) { _prefix = "hostile#" + Sip.Id.ToString() + " " + mode + ": "; }

    public int Unexpected => _unexpected;

    public void Say(string text) => Debug.WriteLine(_prefix + text);

    /// <summary>The call must throw a clean exception.</summary>
    public void Refused(string what, Action call) => Run(what, call, false);

    /// <summary>Like Refused, for a null argument: a NullReferenceException counts as refused too.</summary>
    public void RefusedNull(string what, Action call) => Run(what, call, true);

    private void Run(string what, Action call, bool nullAllowed)
    {
        _count++;
        try
        {
            call();
        }
        catch (Exception e)
        {
            if (IsClean(e) || (nullAllowed && e is NullReferenceException)) Say(what + " -> " + e.TypeName);
            else Fail(what + " threw " + e.TypeName + ": " + e.Message);
            return;
        }
        Fail(what + " was not refused");
    }

    // Arrays of probe values, built element by element: ilc cannot expand the constant-data
    // array initialisers C# emits for some of these (it looks for a helper our corlib lacks).
    public static int[] Values(int a, int b) { var v = new int[2]; v[0] = a; v[1] = b; return v; }
    public static int[] Values(int a, int b, int c) { var v = new int[3]; v[0] = a; v[1] = b; v[2] = c; return v; }
    public static int[] Values(int a, int b, int c, int d) { var v = new int[4]; v[0] = a; v[1] = b; v[2] = c; v[3] = d; return v; }
    public static int[] Values(int a, int b, int c, int d, int e) { var v = new int[5]; v[0] = a; v[1] = b; v[2] = c; v[3] = d; v[4] = e; return v; }
    public static int[] Values(int a, int b, int c, int d, int e, int f) { var v = new int[6]; v[0] = a; v[1] = b; v[2] = c; v[3] = d; v[4] = e; v[5] = f; return v; }
    public static int[] Values(int a, int b, int c, int d, int e, int f, int g) { var v = new int[7]; v[0] = a; v[1] = b; v[2] = c; v[3] = d; v[4] = e; v[5] = f; v[6] = g; return v; }
    public static ulong[] Values(ulong a, ulong b) { var v = new ulong[2]; v[0] = a; v[1] = b; return v; }
    public static ulong[] Values(ulong a, ulong b, ulong c) { var v = new ulong[3]; v[0] = a; v[1] = b; v[2] = c; return v; }
    public static ulong[] Values(ulong a, ulong b, ulong c, ulong d) { var v = new ulong[4]; v[0] = a; v[1] = b; v[2] = c; v[3] = d; return v; }
    public static ulong[] Values(ulong a, ulong b, ulong c, ulong d, ulong e) { var v = new ulong[5]; v[0] = a; v[1] = b; v[2] = c; v[3] = d; v[4] = e; return v; }
    public static ulong[] Values(ulong a, ulong b, ulong c, ulong d, ulong e, ulong f) { var v = new ulong[6]; v[0] = a; v[1] = b; v[2] = c; v[3] = d; v[4] = e; v[5] = f; return v; }
    public static ulong[] Values(ulong a, ulong b, ulong c, ulong d, ulong e, ulong f, ulong g) { var v = new ulong[7]; v[0] = a; v[1] = b; v[2] = c; v[3] = d; v[4] = e; v[5] = f; v[6] = g; return v; }

    /// <summary>The value, in a way the compiler cannot fold (SIP ids are far below 2^30).</summary>
    public static int Opaque(int v) => v + (Sip.Id >> 30);

    /// <summary>Uses an object so that its allocation cannot be optimised away.</summary>
    public static void Use(object o)
    {
        if (o == null) Debug.WriteLine("hostile: null");
    }

    /// <summary>A string of <paramref name="n"/> copies of an ASCII character.</summary>
    public static string Repeat(char c, int n)
    {
        var bytes = new byte[n];
        for (int i = 0; i < n; i++) bytes[i] = (byte)c;
        return string.FromAscii(bytes);
    }

    public static bool IsClean(Exception e) =>
        e is ArgumentException || e is InvalidOperationException || e is IndexOutOfRangeException
        || e is OutOfMemoryException || e is OverflowException || e is InvalidCastException;

    /// <summary>A condition that must hold after an attack.</summary>
    public void Check(string what, bool ok)
    {
        _count++;
        if (ok) Say(what + ": ok");
        else Fail(what);
    }

    public void Fail(string what)
    {
        _unexpected++;
        Say("UNEXPECTED: " + what);
    }

    /// <summary>The mode's summary line; its exit code is 0 only when nothing unexpected happened.</summary>
    public int Finish()
    {
        Say(_count.ToString() + " probes, " + _unexpected.ToString() + " unexpected");
        return _unexpected == 0 ? 0 : 1;
    }
}

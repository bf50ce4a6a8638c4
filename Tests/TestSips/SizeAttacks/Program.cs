using System;
using Singularity;
using Singularity.Channels;
using Singularity.Ipc;
using Singularity.Threading;

// Each mode tries one overflow on trusted code and reports what came back. A mode ends with
// "sizeattacks: MODE done" and exit code 0 when every attempt gave the managed exception it
// should; any other outcome is reported and exits 1. Before its attack it waits so a bystander
// is seen running first, and after it, so the bystander is seen running on.
public static class Program
{
    public static int Main()
    {
        string[] modes = Singularity.Text.Words.Split(Sip.Arguments);
        Thread.Sleep(300);
        bool all = true;
        for (int m = 0; m < modes.Length; m++)
        {
            string mode = modes[m];
            bool ok;
            switch (mode)
            {
                case "concat": ok = ConcatOverflow(); break;
                case "arrays": ok = HugeArrays(); break;
                case "exchange": ok = ExchangeSizes(); break;
                case "arithmetic": ok = Arithmetic(); break;
                case "unhandled-message": throw new LyingException();
                default: Report("unknown mode '" + mode + "'"); return 2;
            }
            Report(mode + (ok ? " done" : " FAILED"));
            all &= ok;
        }
        Thread.Sleep(500);
        return all ? 0 : 1;
    }


    private static void Report(string text) => Debug.WriteLine("sizeattacks: " + text);

    // string.Concat(params string[]) with 65,537 references to one 65,536-character string: the
    // total, 4,295,032,832 characters, wraps to 65,536 in 32 bits. Must be OutOfMemoryException.
    private static bool ConcatOverflow()
    {
        string s = "x";
        for (int i = 0; i < 16; i++) s = s + s;
        var parts = new string[65537];
        for (int i = 0; i < parts.Length; i++) parts[i] = s;
        bool ok = Expect("concat 65537 x 65536 chars", "System.OutOfMemoryException", () => string.Concat(parts).Length);

        // A total that fits still works: 20 parts, 1,310,720 characters, every one copied.
        var few = new string[20];
        for (int i = 0; i < few.Length; i++) few[i] = s;
        string joined = string.Concat(few);
        bool whole = joined.Length == 20 * 65536 && joined[0] == 'x' && joined[joined.Length - 1] == 'x';
        Report("concat 20 x 65536 chars: length " + joined.Length.ToString());
        return ok && whole;
    }

    // Element counts whose byte sizes pass 2 GiB or the heap quota: a catchable exception, not a
    // wrapped size and not the SIP's death.
    private static bool HugeArrays()
    {
        // Sizes come from a call and each array is used, so the compiler can neither fold nor drop them.
        bool ok = Expect("new byte[int.MaxValue]", "System.OutOfMemoryException", () => UseBytes(Positive(int.MaxValue)));
        ok &= Expect("new long[0x20000001]", "System.OutOfMemoryException", () => UseLongs(Positive(0x20000001)));
        ok &= Expect("new byte[quota + 1]", "System.OutOfMemoryException", () => UseBytes((int)Sip.HeapQuota + 1));
        ok &= Expect("new int[-1]", "System.OverflowException", () => UseInts(Negative(1)));
        // The heap still works afterwards.
        int r = UseBytes(Positive(4096));
        Report("heap after: " + r.ToString());
        return ok && r == 4095;
    }

    private static int UseBytes(int n)
    {
        var a = new byte[n];
        a[n - 1] = 1;
        return a.Length - a[n - 1];
    }

    private static int UseLongs(int n)
    {
        var a = new long[n];
        a[n - 1] = 1;
        return (int)(a.Length - a[n - 1]);
    }

    private static int UseInts(int n)
    {
        var a = new int[n];
        return a.Length;
    }

    // Exchange-heap sizes and indices.
    private static bool ExchangeSizes()
    {
        bool ok = Expect("ExArray<long>.Allocate(0x20000001)", "System.OverflowException", () => AllocateArray(0x20000001));
        ok &= Expect("ExArray<long>.Allocate(int.MaxValue)", "System.OverflowException", () => AllocateArray(int.MaxValue));
        ok &= Expect("ExBuffer.Allocate(-1)", "System.ArgumentOutOfRangeException", () => AllocateBuffer(Negative(1)));
        ok &= Expect("ExBuffer.Allocate(int.MaxValue)", "System.OutOfMemoryException", () => AllocateBuffer(int.MaxValue));

        // Tracked values are never captured by a lambda: each attempt is a method that borrows them.
        ExBuffer b = ExBuffer.Allocate(64);
        try
        {
            ok &= Check("buffer[int.MinValue]", "System.IndexOutOfRangeException", ReadByte(b, int.MinValue));
            ok &= Check("buffer[64]", "System.IndexOutOfRangeException", ReadByte(b, 64));
            ok &= Check("buffer.ReadInt64(57)", "System.IndexOutOfRangeException", ReadLong(b, 57));
            ok &= Check("buffer.ReadInt64(int.MaxValue)", "System.IndexOutOfRangeException", ReadLong(b, int.MaxValue));
            ok &= Check("buffer.CopyFrom(8 bytes, int.MaxValue - 4)", "System.IndexOutOfRangeException", CopyIn(b, int.MaxValue - 4));
            ok &= Check("buffer.CopyTo(8 bytes, -8)", "System.IndexOutOfRangeException", CopyOut(b, Negative(8)));
            b.WriteInt64(56, 0x1122334455667788);
            ok &= b.ReadInt64(56) == 0x1122334455667788;
        }
        finally
        {
            b.Free();
        }

        ExArray<long> a = ExArray<long>.Allocate(8);
        try
        {
            ok &= Check("array[int.MinValue]", "System.IndexOutOfRangeException", ReadElement(a, int.MinValue));
            ok &= Check("array[8]", "System.IndexOutOfRangeException", ReadElement(a, 8));
            a[7] = 42;
            ok &= a[7] == 42 && a.Length == 8;
        }
        finally
        {
            a.Free();
        }
        Report("exchange heap owned after: " + Exchange.BytesOwned.ToString());
        return ok && Exchange.BytesOwned == 0;
    }

    private static string ReadByte(ExBuffer b, int index)
    {
        try { return "returned " + b[index].ToString(); } catch (Exception e) { return e.TypeName; }
    }

    private static string ReadLong(ExBuffer b, int offset)
    {
        try { return "returned " + b.ReadInt64(offset).ToString(); } catch (Exception e) { return e.TypeName; }
    }

    private static string CopyIn(ExBuffer b, int offset)
    {
        try { b.CopyFrom(new byte[8], offset); return "returned"; } catch (Exception e) { return e.TypeName; }
    }

    private static string CopyOut(ExBuffer b, int offset)
    {
        try { b.CopyTo(new byte[8], offset); return "returned"; } catch (Exception e) { return e.TypeName; }
    }

    private static string ReadElement(ExArray<long> a, int index)
    {
        try { return "returned " + a[index].ToString(); } catch (Exception e) { return e.TypeName; }
    }

    private static bool Check(string what, string exception, string outcome)
    {
        Report(what + ": " + outcome);
        return outcome == exception;
    }

    private static int AllocateArray(int count)
    {
        ExArray<long> a = ExArray<long>.Allocate(count);
        int n = a.Length;
        a.Free();
        return n;
    }

    private static int AllocateBuffer(int length)
    {
        ExBuffer b = ExBuffer.Allocate(length);
        int n = b.Length;
        b.Free();
        return n;
    }

    private static bool Arithmetic()
    {
        bool ok = Expect("Math.Abs(int.MinValue)", "System.OverflowException", () => Math.Abs(int.MinValue));
        ok &= Expect("Math.Abs(long.MinValue)", "System.OverflowException", () => (int)Math.Abs(long.MinValue));
        ok &= Expect("\"abc\".Substring(2, int.MaxValue)", "System.ArgumentOutOfRangeException", () => "abc".Substring(2, int.MaxValue).Length);
        ok &= Expect("\"abc\".Substring(-1)", "System.ArgumentOutOfRangeException", () => "abc".Substring(Negative(1)).Length);
        ok &= Expect("\"abc\"[int.MinValue]", "System.IndexOutOfRangeException", () => "abc"[int.MinValue]);
        ok &= Expect("Concat(null array)", "System.ArgumentNullException", () => string.Concat((string[])null).Length);
        // A literal lives in the image: its lock word is the image's, and must work like any other.
        string literal = "sizeattacks: a literal to lock";
        int inside = 0;
        lock (literal) { lock (literal) { inside = System.Threading.Monitor.IsEntered(literal) ? 2 : 1; } }
        bool released = !System.Threading.Monitor.IsEntered(literal);
        Report("lock on a literal: " + (inside == 2 && released ? "held and released" : "WRONG"));
        ok &= Expect("Monitor.Exit without Enter", "System.Threading.SynchronizationLockException", () => { System.Threading.Monitor.Exit(literal); return 0; });
        return ok && inside == 2 && released;
    }

    // Values the compiler cannot fold (so the call happens at run time).
    private static int Negative(int n) => -(Environment() + n);

    private static int Positive(int n) => n - Environment();

    private static int Environment() => Sip.Id > 0 ? 0 : 1;

    private static bool Expect(string what, string exception, Func<int> attempt)
    {
        try
        {
            int r = attempt();
            Report(what + ": returned " + r.ToString() + " (expected " + exception + ")");
            return false;
        }
        catch (Exception e)
        {
            Report(what + ": " + e.TypeName);
            return e.TypeName == exception;
        }
    }

    // An exception whose description throws: the runtime must still report the SIP's failure.
    private sealed class LyingException : Exception
    {
        public override string Message => throw new InvalidOperationException("no message for you");
    }
}

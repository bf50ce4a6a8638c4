using System;
using Singularity;
using Singularity.Diagnostics;

// `exceptions` runs every scenario and exits 0 when all pass; `exceptions unhandled` lets an
// exception escape from three frames down, which must fail only this SIP, with a stack trace.
public static class Program
{
    private sealed class DebugLog : ScenarioLog
    {
        public override void WriteLine(string line) => Debug.WriteLine("exceptions#" + Sip.Id.ToString() + ": " + line);
    }

    public static int Main()
    {
        string mode = Sip.Arguments;
        if (mode == "unhandled")
        {
            Level1(3);
            return 0;
        }
        int failed = ExceptionScenarios.RunAll(new DebugLog());
        return failed == 0 ? 0 : 1;
    }

    private static int Level1(int n) => Level2(n) + 1;
    private static int Level2(int n) => Level3(n) + 1;
    private static int Level3(int n)
    {
        if (n > 0) throw new InvalidOperationException("escaped from Level3");
        return n;
    }
}

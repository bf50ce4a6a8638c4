using System;
using System.Runtime.CompilerServices;

namespace Singularity.Diagnostics
{
    /// <summary>Where the scenarios report; the kernel and the test SIP each supply one.</summary>
    public abstract class ScenarioLog
    {
        public abstract void WriteLine(string line);
    }

    /// <summary>
    /// Exception-handling scenarios that must behave as C# specifies: the kernel runs them as
    /// the `exceptions` self-test, and the Exceptions test SIP runs the same source in a SIP.
    /// Safe code only (it is compiled into a SIP). Each prints `eh NAME: ok` or `eh NAME: FAILED ...`.
    /// </summary>
    public static class ExceptionScenarios
    {
        private sealed class Box { public int Value; }
        // State the scenarios share, in an object: SIP code has no mutable statics.
        private sealed class Fixture
        {
            public Box Null;                 // stays null: the target of the null dereference
            public readonly int[] Zero = new int[1];
            public int FinallyRuns, DeepFinallies;
        }

        public static int RunAll(ScenarioLog log)
        {
            var f = new Fixture();
            int failed = 0;
            failed += Check(log, "catch-by-type", CatchByType());
            failed += Check(log, "catch-by-base-type", CatchByBaseType());
            failed += Check(log, "catch-order", CatchOrder());
            failed += Check(log, "finally-normal-exit", FinallyOnNormalExit());
            failed += Check(log, "finally-on-return", FinallyOnReturn(f));
            failed += Check(log, "nested-finally-in-loops", NestedFinallyInLoops());
            failed += Check(log, "rethrow-preserves", RethrowPreservesOriginal());
            failed += Check(log, "throw-new-in-catch", ThrowFromCatch());
            failed += Check(log, "throw-in-finally", ThrowFromFinally());
            failed += Check(log, "filter-true", FilterTrue());
            failed += Check(log, "filter-false", FilterFalse());
            failed += Check(log, "filter-that-throws", FilterThatThrows());
            failed += Check(log, "across-virtual-call", AcrossVirtualCall());
            failed += Check(log, "across-interface-call", AcrossInterfaceCall());
            failed += Check(log, "across-generic-call", AcrossGenericCall());
            failed += Check(log, "using-disposes", UsingDisposesOnThrow());
            failed += Check(log, "deep-unwind", DeepUnwind(f));
            failed += Check(log, "null-dereference", CaughtNullDereference(f));
            failed += Check(log, "divide-by-zero", CaughtDivideByZero(f));
            failed += Check(log, "index-out-of-range", CaughtIndexOutOfRange());
            failed += Check(log, "checked-overflow", CaughtOverflow(f));
            failed += Check(log, "invalid-cast", CaughtInvalidCast());
            failed += Check(log, "many-throws", ManyThrows());
            failed += Check(log, "lock-released-on-throw", LockReleasedOnThrow());
            log.WriteLine(failed == 0 ? "eh: all scenarios passed" : "eh: " + failed.ToString() + " scenarios FAILED");
            return failed;
        }

        private static int Check(ScenarioLog log, string name, string error)
        {
            log.WriteLine(error == null ? "eh " + name + ": ok" : "eh " + name + ": FAILED " + error);
            return error == null ? 0 : 1;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Throw(Exception e) => throw e;

        private static string CatchByType()
        {
            try { Throw(new InvalidOperationException("one")); }
            catch (InvalidOperationException e) { return e.Message == "one" ? null : "wrong message " + e.Message; }
            return "not caught";
        }

        private static string CatchByBaseType()
        {
            int caught = 0;
            try { Throw(new ArgumentNullException("p")); }
            catch (ArgumentException e) { if (e is ArgumentNullException) caught++; }
            try { Throw(new DivideByZeroException()); }
            catch (Exception e) { if (e is ArithmeticException) caught++; }
            try { Throw(new ObjectDisposedException("x")); }
            catch (InvalidOperationException) { caught++; }
            return caught == 3 ? null : "caught " + caught.ToString() + " of 3";
        }

        private static string CatchOrder()
        {
            try { Throw(new ArgumentOutOfRangeException("i")); }
            catch (ArgumentNullException) { return "matched a sibling type"; }
            catch (ArgumentException) { return null; }
            catch (Exception) { return "skipped the more specific clause"; }
            return "not caught";
        }

        private static string FinallyOnNormalExit()
        {
            int steps = 0;
            try { steps++; }
            finally { steps += 10; }
            return steps == 11 ? null : "steps " + steps.ToString();
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int ReturnsFromTry(Fixture f)
        {
            try { return 5; }
            finally { f.FinallyRuns++; }
        }

        private static string FinallyOnReturn(Fixture f)
        {
            int before = f.FinallyRuns;
            int r = ReturnsFromTry(f);
            return r == 5 && f.FinallyRuns == before + 1 ? null : "finally did not run once on return";
        }

        private static string NestedFinallyInLoops()
        {
            int finallies = 0, catches = 0, bodies = 0;
            for (int i = 0; i < 10; i++)
            {
                try
                {
                    for (int j = 0; j < 3; j++)
                    {
                        try
                        {
                            try
                            {
                                bodies++;
                                if ((i + j) % 4 == 0) Throw(new InvalidOperationException("loop"));
                            }
                            finally { finallies++; }
                        }
                        finally { finallies++; }
                    }
                }
                catch (InvalidOperationException) { catches++; }
            }
            // Throws where (i + j) % 4 == 0: i = 0, 4, 8 at j = 0; 2, 6 at j = 2; 3, 7 at j = 1; never for 1, 5, 9.
            if (catches != 7) return "catches " + catches.ToString();
            if (bodies != 22) return "bodies " + bodies.ToString();
            return finallies == 44 ? null : "finallies " + finallies.ToString();
        }

        private static string RethrowPreservesOriginal()
        {
            Exception original = new InvalidOperationException("original");
            Exception seen = null;
            int innerCatches = 0;
            try
            {
                try { Throw(original); }
                catch (InvalidOperationException) { innerCatches++; throw; }
            }
            catch (Exception e) { seen = e; }
            if (innerCatches != 1) return "inner catch ran " + innerCatches.ToString() + " times";
            if (!ReferenceEquals(seen, original)) return "rethrow lost the original exception";
            try
            {
                try { Throw(original); }
#pragma warning disable CA2200 // `throw e` (a new throw of the same object) is what this scenario tests
                catch (Exception e) { throw e; }
#pragma warning restore CA2200
            }
            catch (InvalidOperationException e) { return ReferenceEquals(e, original) ? null : "throw e lost the object"; }
            return "throw e not caught";
        }

        private static string ThrowFromCatch()
        {
            try
            {
                try { Throw(new InvalidOperationException("first")); }
                catch (InvalidOperationException) { Throw(new NotSupportedException("second")); }
            }
            catch (NotSupportedException e) { return e.Message == "second" ? null : "wrong exception " + e.Message; }
            catch (Exception e) { return "caught " + e.Message + " instead"; }
            return "not caught";
        }

        private static string ThrowFromFinally()
        {
            int outerFinally = 0;
            try
            {
                try
                {
                    try { Throw(new InvalidOperationException("first")); }
                    finally { Throw(new FormatException("replacement")); }
                }
                finally { outerFinally++; }
            }
            catch (InvalidOperationException) { return "the replaced exception was caught"; }
            catch (FormatException e) { return outerFinally == 1 && e.Message == "replacement" ? null : "outer finally ran " + outerFinally.ToString(); }
            return "not caught";
        }

        private static string FilterTrue()
        {
            try { Throw(new InvalidOperationException("match me")); }
            catch (Exception e) when (e.Message == "match me") { return null; }
            return "not caught";
        }

        private static string FilterFalse()
        {
            int filtered = 0;
            try
            {
                try { Throw(new InvalidOperationException("no")); }
                catch (Exception e) when (Count(ref filtered) && e.Message == "yes") { return "filter said no but caught"; }
            }
            catch (InvalidOperationException) { return filtered == 1 ? null : "filter ran " + filtered.ToString() + " times"; }
            return "not caught";
        }

        private static bool Count(ref int n) { n++; return true; }

        private static bool ThrowingFilter(Exception e)
        {
            Throw(new FormatException("from the filter"));
            return true;
        }

        private static string FilterThatThrows()
        {
            try
            {
                try { Throw(new InvalidOperationException("x")); }
                catch (Exception e) when (ThrowingFilter(e)) { return "a filter that threw matched"; }
            }
            catch (InvalidOperationException) { return null; }
            catch (FormatException) { return "the filter's exception escaped"; }
            return "not caught";
        }

        private abstract class Shape { public abstract int Area(); }
        private sealed class BadShape : Shape { public override int Area() => throw new NotImplementedException("area"); }

        private interface IParser { int Parse(string s); }
        private sealed class StrictParser : IParser
        {
            public int Parse(string s) => s.Length == 0 ? throw new FormatException("empty") : s.Length;
        }

        private static T Fail<T>(T value) where T : class => throw new ArgumentException("generic " + (value == null ? "null" : "value"));

        private static string AcrossVirtualCall()
        {
            Shape s = new BadShape();
            try { s.Area(); }
            catch (NotImplementedException e) { return e.Message == "area" ? null : "wrong message"; }
            return "not caught";
        }

        private static string AcrossInterfaceCall()
        {
            IParser p = new StrictParser();
            try { p.Parse(""); }
            catch (FormatException) { return null; }
            return "not caught";
        }

        private static string AcrossGenericCall()
        {
            try { Fail<string>("s"); }
            catch (ArgumentException e) { return e.Message == "generic value" ? null : "wrong message " + e.Message; }
            return "not caught";
        }

        private sealed class Resource : IDisposable
        {
            public int Disposed;
            public void Dispose() => Disposed++;
        }

        private static string UsingDisposesOnThrow()
        {
            var r = new Resource();
            try
            {
                using (r) Throw(new InvalidOperationException("in using"));
            }
            catch (InvalidOperationException) { }
            return r.Disposed == 1 ? null : "disposed " + r.Disposed.ToString() + " times";
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int Deep(Fixture f, int n)
        {
            try
            {
                if (n == 0) Throw(new InvalidOperationException("bottom"));
                return Deep(f, n - 1) + 1;
            }
            finally { f.DeepFinallies++; }
        }

        private static string DeepUnwind(Fixture f)
        {
            f.DeepFinallies = 0;
            try { Deep(f, 20); }
            catch (InvalidOperationException) { return f.DeepFinallies == 21 ? null : "finallies " + f.DeepFinallies.ToString(); }
            return "not caught";
        }

        private static string CaughtNullDereference(Fixture f)
        {
            int finallies = 0;
            try
            {
                try { f.Null.Value = 1; }
                finally { finallies++; }
            }
            catch (NullReferenceException) { return finallies == 1 ? null : "finally did not run"; }
            return "not caught";
        }

        private static string CaughtDivideByZero(Fixture f)
        {
            int a = 100;
            try { a = a / f.Zero[0]; }
            catch (DivideByZeroException) { return null; }
            return "not caught, a = " + a.ToString();
        }

        private static string CaughtIndexOutOfRange()
        {
            int[] data = new int[3];
            int i = 3;
            try { data[i] = 1; }
            catch (IndexOutOfRangeException) { return null; }
            return "not caught";
        }

        private static string CaughtOverflow(Fixture f)
        {
            int big = int.MaxValue - f.Zero[0];
            try { big = checked(big + 1); }
            catch (OverflowException) { return null; }
            return "not caught";
        }

        private static string CaughtInvalidCast()
        {
            object o = new Resource();
            try { var s = (string)o; return "cast succeeded: " + s; }
            catch (InvalidCastException) { return null; }
        }

        private static string LockReleasedOnThrow()
        {
            object gate = new object();
            try
            {
                lock (gate)
                {
                    lock (gate) { if (!System.Threading.Monitor.IsEntered(gate)) return "not entered inside lock"; }
                    if (!System.Threading.Monitor.IsEntered(gate)) return "the inner exit released the outer lock";
                    Throw(new InvalidOperationException("inside lock"));
                }
            }
            catch (InvalidOperationException) { }
            if (System.Threading.Monitor.IsEntered(gate)) return "lock still held after the exception";
            try { System.Threading.Monitor.Exit(gate); }
            catch (System.Threading.SynchronizationLockException) { return null; }
            return "Exit without Enter did not throw";
        }

        private static string ManyThrows()
        {
            int caught = 0;
            for (int i = 0; i < 1000; i++)
            {
                try { Throw(new InvalidOperationException("again")); }
                catch (InvalidOperationException) { caught++; }
            }
            return caught == 1000 ? null : "caught " + caught.ToString();
        }
    }
}

using System;
using System.Diagnostics;
using Singularity.Hosted;

// The SIP API of Kernel/SipRuntime/Api/Sip.cs on .NET: the running hosted SIP's identity
// (HostedSip.Current), its log, and the clock.
namespace Singularity
{
    public static class Sip
    {
        public static int Id => HostedSip.Current.Id;
        public static string Name => HostedSip.Current.Name;
        public static string Arguments => HostedSip.Current.Arguments;
        /// <summary>Hosted: the process's managed heap (SIPs of one process share it).</summary>
        public static ulong HeapBytes => (ulong)GC.GetTotalMemory(false);
        public static ulong HeapQuota => HostedSip.Current.HeapQuota;
        public static ulong Collections => (ulong)GC.CollectionCount(0);
        public static void Collect() => GC.Collect();
        /// <summary>Ends the SIP: its Main unwinds (finally blocks run) and HostedSip.ExitCode is <paramref name="code"/>.</summary>
        public static void Exit(int code) => throw new HostedSip.SipExit(code);
    }

    public static class Debug
    {
        public static void Write(string text) => HostedSip.Current.Log(text ?? "");
        public static void WriteLine(string text) => HostedSip.Current.Log((text ?? "(null)") + "\n");
    }

    public static class Clock
    {
        public static ulong ReadCycles() => (ulong)Stopwatch.GetTimestamp();
        public static ulong NowNs => (ulong)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));
        public static ulong NowMs => NowNs / 1000000;
    }

    public static class ConsoleInput
    {
        /// <summary>The next line HostedSip.Type gave this SIP; null once its input has ended.</summary>
        public static string ReadLine() => HostedSip.Current.ReadLine();
    }
}

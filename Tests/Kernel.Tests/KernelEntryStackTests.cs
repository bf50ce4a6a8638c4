using System.Globalization;
using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// Kernel code never runs on a SIP's stack (docs/abi.md, docs/exceptions.md): a SIP that calls
/// the kernel, or takes an interrupt, with its stack pointer just above its guard page gets its
/// result, or fails alone when its own code runs off the stack; the kernel stays intact.
/// The fixture is Tests/TestSips/StackEdge.
/// </summary>
public class KernelEntryStackTests
{
    private static readonly string[] Steps =
    {
        "DebugWrite", "ExitProcess", "FailProcess", "AllocatePages", "FreePages", "Yield", "Sleep",
        "MonotonicNs", "CreateThread", "ExitThread", "Wait", "CreateEvent", "SetEvent", "ResetEvent",
        "CreateMutex", "ReleaseMutex", "CloseHandle", "BeginCollection", "GetStackRanges",
        "EndCollection", "CurrentThreadId", "HeapBytes", "SetThreadPriority", "ExAllocate", "ExFree",
        "ExAccess", "ChannelCreate", "ChannelSend", "ChannelReceive", "ChannelSelect", "ChannelClose",
        "NameRegister", "NameBind", "ExchangeBytes", "SipStart", "SipWait", "SipKill", "ConsoleRead",
        "SipList", "GetMemoryInfo", "FailProcessWithTrace", "SetFaultEntry", "TakeStartupEndpoint",
        "ExchangeHeaders", "ChannelCall", "ChannelReceiveAny", "DeviceList",
        "IoRange", "PortRead", "PortWrite", "MemoryRead", "MemoryWrite", "DmaAllocate", "DmaAddress", "InterruptWait", "InterruptAck",
        "ChannelReplyAndReceive", "spin", "guard",
    };

    private const string MemPattern =
        @"mem: usable \d+ KiB, free (\d+) KiB, kernel heap (\d+) KiB, SIPs (\d+) KiB in (\d+) live SIPs, exchange heap (\d+) bytes in (\d+) blocks";

    // Types `kill` for the child the orchestrator parked on (the last "pause ... (park #N)" line).
    private static string KillPark(string log)
    {
        var m = Regex.Matches(log, @"stackedge: pause \w+ \(park #(\d+)\)");
        return "kill " + m[^1].Groups[1].Value + "\n";
    }

    [Fact]
    public void EveryAbiEntryAtTheGuardPageGivesItsResultOrFailsOnlyItsSip()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Sips = new[] { "counter", "stackedge" },
            // It starts, waits for and kills its own children (docs/security.md); no console input:
            // the script types to the debug console, and a SIP granted input would own it from its start.
            Grants = new[] { "stackedge processes name=/stackedge/*" },
            Timeout = TimeSpan.FromSeconds(240),
            Script = new[]
            {
                new ScriptStep("stackedge: pause before", "mem\n"),
                new ScriptStep("mem: ", KillPark),
                new ScriptStep("stackedge: pause normal", "mem\n"),
                new ScriptStep("mem: ", KillPark),
                new ScriptStep("stackedge: pause edge", "mem\n"),
                new ScriptStep("mem: ", KillPark),
            },
            StopWhen = "stackedge: done",
        });
        boot.DoesNotContain("KERNEL PANIC").Exited(QemuExit.StoppedByHarness);
        string log = boot.Serial;

        // Every step, in both passes, ended as it should: its results right, or the SIP
        // exited or failed exactly as the step means to. (No ^ anchors: the bystander's output
        // may share a line with the orchestrator's.)
        var wrong = new List<string>();
        foreach (string mode in new[] { "normal", "edge" })
            foreach (string step in Steps)
                if (!Regex.IsMatch(log, $@"stackedge: {mode} {step} \(#\d+\): ok"))
                {
                    var line = Regex.Match(log, $@"stackedge: {mode} {step} \(#\d+\):[^\r\n]*");
                    wrong.Add(line.Success ? line.Value : $"{mode} {step}: no result");
                }
        boot.Check(wrong.Count == 0, "steps that did not end as they should:\n  " + string.Join("\n  ", wrong));
        boot.DoesNotContain("WRONG");

        // The edge calls really were at the edge: the stack pointer at each call within 256
        // bytes of the guard page (every returning entry reports one; the spin too).
        var margins = Regex.Matches(log, @"stack pointer at guard\+(\d+)")
                           .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        boot.Check(margins.Count >= 50, $"only {margins.Count} edge calls reported where the stack pointer was");
        boot.Check(margins.All(m => m <= 256), "an edge call was made more than 256 bytes above the guard page: " + string.Join(",", margins));

        // The SIPs that were meant to fail at the edge failed for their own reasons; a call with
        // no room for its return address is a stack overflow in the SIP's own code.
        string Reason(string step)
        {
            var id = Regex.Match(log, $@"stackedge: edge {step} \(#(\d+)\)");
            if (!id.Success) return "";
            var m = Regex.Match(log, $@"\bsip stackedge#{id.Groups[1].Value} failed: ([^\r\n]*)");
            return m.Success ? m.Groups[1].Value : "";
        }
        boot.Check(Reason("FailProcess").StartsWith("failing from the edge", StringComparison.Ordinal), "FailProcess at the edge: " + Reason("FailProcess"));
        boot.Check(Reason("FailProcessWithTrace").StartsWith("failing from the edge with a trace", StringComparison.Ordinal), "FailProcessWithTrace at the edge: " + Reason("FailProcessWithTrace"));
        // A SIP that is no driver holds no I/O grant: every port or memory access fails it, at any depth.
        foreach (string io in new[] { "PortRead", "PortWrite" })
            boot.Check(Reason(io) == "I/O port access outside its grant", io + " at the edge: " + Reason(io));
        foreach (string io in new[] { "MemoryRead", "MemoryWrite" })
            boot.Check(Reason(io) == "I/O memory access outside its grant", io + " at the edge: " + Reason(io));
        // Nor an interrupt line: waiting on or acknowledging one fails it (IO/Drivers/InterruptObjects.cs).
        foreach (string io in new[] { "InterruptWait", "InterruptAck" })
            boot.Check(Reason(io) == "interrupt outside its grant", io + " at the edge: " + Reason(io));
        boot.Check(Reason("guard").StartsWith("stack overflow at StackEdge_Program__CallAtEdge", StringComparison.Ordinal), "the guard step: " + Reason("guard"));
        // No SIP failed with a stack overflow anywhere else (in kernel code, above all): only the
        // guard step, which runs the same in both passes.
        int overflows = Regex.Matches(log, @"\bfailed: stack overflow").Count;
        boot.Check(overflows == 2, $"{overflows} stack overflows; only the guard step's two are expected");

        // The bystander kept counting through both passes, without a gap or a repeat.
        var counts = SipTests.CounterValues(log, 1);
        int edgeStart = log.IndexOf("stackedge: pause normal", StringComparison.Ordinal);
        boot.Check(counts.Count >= 3 && counts.Zip(counts.Skip(1)).All(p => p.Second > p.First), "the bystander's counts went backwards or repeated");
        boot.Check(SipTests.CounterValues(log[edgeStart..], 1).Count >= 3, "the bystander did not keep counting through the edge pass");
        boot.DoesNotContain("sip counter#1 failed");

        // Kernel memory: the same three SIPs live at each pause (bystander, orchestrator,
        // parked child), no exchange-heap block left, and the edge pass cost the kernel no more
        // than the same steps at a normal depth (each child SIP leaves its small record).
        var mems = Regex.Matches(log, MemPattern).Select(m => m.Groups.Values.Skip(1)
                        .Select(g => long.Parse(g.Value, CultureInfo.InvariantCulture)).ToArray()).ToList();
        boot.Check(mems.Count == 3, $"expected 3 `mem` reports, found {mems.Count}");
        boot.Check(mems.All(m => m[3] == 3 && m[4] == 0 && m[5] == 0), "at a pause, not exactly the 3 SIPs live, or exchange-heap blocks left");
        long heapNormal = mems[1][1] - mems[0][1], heapEdge = mems[2][1] - mems[1][1];
        long usedNormal = (mems[0][0] - mems[1][0]) - (mems[1][2] - mems[0][2]);
        long usedEdge = (mems[1][0] - mems[2][0]) - (mems[2][2] - mems[1][2]);
        boot.Check(heapEdge <= heapNormal + 1, $"the kernel heap grew {heapEdge} KiB in the edge pass against {heapNormal} KiB at a normal depth");
        // (Pages: the kernel heap takes whole pages per size class, so the two passes may differ by a few.)
        boot.Check(usedEdge <= usedNormal + 32, $"the kernel kept {usedEdge} KiB of memory in the edge pass against {usedNormal} KiB at a normal depth");
    }
}

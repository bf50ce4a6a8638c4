using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using Singularity;
using Singularity.Abi;

// Calls every kernel ABI entry point with its stack pointer a few bytes above this thread's
// stack guard page, and spins there while timer interrupts arrive: kernel code must never run on
// a SIP's stack (docs/abi.md), so each call must give its result or, when the SIP itself runs
// off its stack, fail only this SIP. Modes, from the module's arguments:
//   (none)            the orchestrator: runs each step in a child SIP of its own, first at a
//                     normal stack depth, then at the edge, and pauses before, between and after
//                     the passes (a parked child it waits for) so the test can read `mem`.
//   step NAME MODE    one step, MODE normal or edge; exits 0 when every result was right.
//   idle              sleeps until killed.
public static unsafe class Program
{
    private const ulong EdgeMargin = 16;        // stack pointer at an edge call = guard page top + this
    private const ulong MaxMargin = 256;        // what the test promises: within 256 bytes of the guard

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_kernel_abi")]
    private static extern KernelAbi* Table();

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_read_rsp")]
    private static extern ulong ReadRsp();

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_rdtsc")]
    private static extern ulong ReadTsc();

    private static KernelAbi* s_abi;
    private static bool s_edge;
    private static string s_step;
    private static int s_wrong;
    private static ulong s_margin;              // measured by the last edge call
    private static volatile int s_threadRan;

    // Buffers the kernel reads or writes; statics, so no edge call points into its own stack.
    private static readonly byte[] s_text = new byte[64];
    private static readonly ulong[] s_ranges = new ulong[2 * 256];
    private static readonly byte[] s_sipInfos = new byte[8 * 80];

    private static readonly string[] s_steps =
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
        "ChannelReplyAndReceive",
        "spin", "guard",
    };

    public static int Main()
    {
        string args = Sip.Arguments;
        if (args == "idle")
        {
            while (true) Singularity.Threading.Thread.Sleep(1000);
        }
        if (args.StartsWith("step "))
        {
            string rest = args.Substring(5);
            int space = rest.IndexOf(' ');
            if (space < 0) return 2;
            return RunStep(rest.Substring(0, space), rest.Substring(space + 1) == "edge");
        }
        return Orchestrate();
    }

    // ---- the orchestrator -------------------------------------------------------------------

    private static int Orchestrate()
    {
        if (s_steps.Length != KernelAbi.Count + 2)
            Debug.WriteLine("stackedge: WRONG the step list does not cover the " + KernelAbi.Count.ToString() + " ABI entries");
        Pause("before");
        RunPass("normal");
        Pause("normal");
        RunPass("edge");
        Pause("edge");
        Debug.WriteLine("stackedge: done");
        return 0;
    }

    private static void RunPass(string mode)
    {
        for (int i = 0; i < s_steps.Length; i++)
        {
            string step = s_steps[i];
            int id = Processes.Start("stackedge", "step " + step + " " + mode);
            SipOutcome outcome = Processes.Wait(id, -1, out int code);
            string got = outcome == SipOutcome.Exited ? "exited " + code.ToString() : outcome == SipOutcome.Failed ? "failed" : "unknown";
            string expected = Expected(step);
            Debug.WriteLine("stackedge: " + mode + " " + step + " (#" + id.ToString() + "): "
                            + (got == expected ? "ok, " + got : "WRONG, expected " + expected + ", got " + got));
        }
    }

    private static string Expected(string step) => step switch
    {
        "ExitProcess" => "exited 7",
        "FailProcess" or "FailProcessWithTrace" or "guard" => "failed",
        // This SIP is no driver: it holds no I/O grant, and any access fails it.
        "PortRead" or "PortWrite" or "MemoryRead" or "MemoryWrite" or "InterruptWait" or "InterruptAck" => "failed",
        _ => "exited 0",
    };

    // Waits for a parked child the test kills once it has read `mem`.
    private static void Pause(string name)
    {
        int park = Processes.Start("stackedge", "idle");
        Debug.WriteLine("stackedge: pause " + name + " (park #" + park.ToString() + ")");
        Processes.Wait(park, -1, out _);
    }

    // ---- one step ---------------------------------------------------------------------------

    private static int RunStep(string name, bool edge)
    {
        s_abi = Table();
        s_edge = edge;
        s_step = name;
        KernelAbi* a = s_abi;
        switch (name)
        {
            case "DebugWrite":
            {
                int n = Text("stackedge: DebugWrite from the edge\n");
                fixed (byte* t = s_text) Call(a->DebugWrite, (ulong)t, (ulong)n);
                break;
            }
            case "ExitProcess":
                Call(a->ExitProcess, 7);
                Wrong("ExitProcess returned");
                break;
            case "FailProcess":
            {
                int n = Text("failing from the edge");
                fixed (byte* t = s_text) Call(a->FailProcess, (ulong)t, (ulong)n, 0);
                Wrong("FailProcess returned");
                break;
            }
            case "AllocatePages":
            {
                ulong p = Call(a->AllocatePages, 2);
                Expect(p != 0, "AllocatePages gave nothing");
                if (p != 0) Expect(a->FreePages(p, 2) == 1, "the pages could not be freed");
                break;
            }
            case "FreePages":
            {
                ulong p = a->AllocatePages(2);
                Expect((int)Call(a->FreePages, p, 2) == 1, "FreePages refused its own pages");
                Expect((int)Call(a->FreePages, p, 2) == 0, "FreePages freed them twice");
                break;
            }
            case "Yield":
                Call(a->Yield);
                break;
            case "Sleep":
            {
                ulong t0 = a->MonotonicNs();
                Call(a->Sleep, 3_000_000);
                Expect(a->MonotonicNs() - t0 >= 3_000_000, "Sleep returned early");
                break;
            }
            case "MonotonicNs":
                Expect(Call(a->MonotonicNs) != 0, "MonotonicNs is 0");
                break;
            case "CreateThread":
            {
                delegate*<ulong, void> body = &MarkThread;
                int h = (int)Call(a->CreateThread, (ulong)body, 5);
                Expect(h > 0, "CreateThread failed");
                if (h > 0) Expect(a->Wait(h, 0) == 1 && s_threadRan == 5, "the new thread did not run");
                Expect((int)Call(a->CreateThread, 1, 0) == -1, "CreateThread took an entry outside the image");
                break;
            }
            case "ExitThread":
            {
                delegate*<ulong, void> body = &ExitThreadAtEdge;
                int h = a->CreateThread((ulong)body, 0);
                Expect(h > 0 && a->Wait(h, 0) == 1, "the thread did not end");
                Expect(s_threadRan == 1, "the thread did not get to its ExitThread");
                break;
            }
            case "Wait":
            {
                int set = a->CreateEvent(0, 1), unset = a->CreateEvent(0, 0);
                Expect((int)Call(a->Wait, (ulong)set, 0) == 1, "Wait on a set event did not return 1");
                Expect((int)Call(a->Wait, (ulong)unset, 2_000_000) == 0, "Wait did not time out");
                Expect((int)Call(a->Wait, 9999, 0) == -1, "Wait on a bad handle did not return -1");
                break;
            }
            case "CreateEvent":
                Expect((int)Call(a->CreateEvent, 1, 0) > 0, "CreateEvent failed");
                break;
            case "SetEvent":
            {
                int e = a->CreateEvent(0, 0);
                Expect((int)Call(a->SetEvent, (ulong)e) == 0, "SetEvent failed");
                Expect(a->Wait(e, 1_000_000) == 1, "the event was not set");
                break;
            }
            case "ResetEvent":
            {
                int e = a->CreateEvent(1, 1);
                Expect((int)Call(a->ResetEvent, (ulong)e) == 0, "ResetEvent failed");
                Expect(a->Wait(e, 1_000_000) == 0, "the event is still set");
                break;
            }
            case "CreateMutex":
                Expect((int)Call(a->CreateMutex) > 0, "CreateMutex failed");
                break;
            case "ReleaseMutex":
            {
                int m = a->CreateMutex();
                Expect(a->Wait(m, 0) == 1, "could not acquire the mutex");
                Expect((int)Call(a->ReleaseMutex, (ulong)m) == 0, "ReleaseMutex failed");
                Expect((int)Call(a->ReleaseMutex, (ulong)m) == -2, "ReleaseMutex of a mutex not held did not return -2");
                break;
            }
            case "CloseHandle":
            {
                int e = a->CreateEvent(0, 0);
                Expect((int)Call(a->CloseHandle, (ulong)e) == 0, "CloseHandle failed");
                Expect((int)Call(a->CloseHandle, (ulong)e) == -1, "CloseHandle closed it twice");
                break;
            }
            case "BeginCollection":
                Call(a->BeginCollection);
                a->EndCollection();
                break;
            case "GetStackRanges":
                fixed (ulong* r = s_ranges) Expect((int)Call(a->GetStackRanges, (ulong)r, 256) >= 1, "no stack ranges");
                break;
            case "EndCollection":
                a->BeginCollection();
                Call(a->EndCollection);
                break;
            case "CurrentThreadId":
                Expect((int)Call(a->CurrentThreadId) > 0, "no thread id");
                break;
            case "HeapBytes":
                Expect(Call(a->HeapBytes) != 0, "HeapBytes is 0");
                break;
            case "SetThreadPriority":
                Expect((int)Call(a->SetThreadPriority, 0, 2) == 0, "SetThreadPriority(Normal) failed");
                Expect((int)Call(a->SetThreadPriority, 0, 3) == -2, "SetThreadPriority(High) was not refused");
                break;
            case "ExAllocate":
            {
                ulong h = Call(a->ExAllocate, 4096);
                Expect(h != 0, "ExAllocate failed");
                if (h != 0) a->ExFree(h);
                break;
            }
            case "ExFree":
            {
                ulong h = a->ExAllocate(4096);
                Expect((int)Call(a->ExFree, h) == 0, "ExFree failed");
                Expect((int)Call(a->ExFree, h) == -1, "ExFree freed it twice");
                break;
            }
            case "ExAccess":
            {
                ulong h = a->ExAllocate(4096);
                ulong length = 0;
                Expect(Call(a->ExAccess, h, (ulong)&length) != 0 && length >= 4096, "ExAccess failed");
                a->ExFree(h);
                Expect(Call(a->ExAccess, h, (ulong)&length) == 0, "ExAccess of a freed block");
                break;
            }
            case "ChannelCreate":
            {
                int imp = 0, exp = 0;
                Expect((int)Call(a->ChannelCreate, (ulong)&imp, (ulong)&exp) == 0 && imp > 0 && exp > 0, "ChannelCreate failed");
                break;
            }
            case "ChannelSend":
            {
                int imp = 0, exp = 0;
                a->ChannelCreate(&imp, &exp);
                ChannelMessage m = default;
                m.Tag = 42;
                Expect((int)Call(a->ChannelSend, (ulong)imp, (ulong)&m, 0) == 0, "ChannelSend failed");
                ChannelMessage r = default;
                Expect(a->ChannelReceive(exp, &r, 1_000_000) == 0 && r.Tag == 42, "the message did not arrive");
                break;
            }
            case "ChannelReceive":
            {
                int imp = 0, exp = 0;
                a->ChannelCreate(&imp, &exp);
                ChannelMessage m = default;
                m.Tag = 43;
                a->ChannelSend(imp, &m, 0);
                ChannelMessage r = default;
                Expect((int)Call(a->ChannelReceive, (ulong)exp, (ulong)&r, 0) == 0 && r.Tag == 43, "ChannelReceive failed");
                Expect((int)Call(a->ChannelReceive, (ulong)exp, (ulong)&r, 2_000_000) == ChannelStatus.TimedOut, "ChannelReceive did not time out");
                break;
            }
            case "ChannelSelect":
            {
                int imp = 0, exp = 0;
                a->ChannelCreate(&imp, &exp);
                ChannelMessage m = default;
                a->ChannelSend(imp, &m, 0);
                Expect((int)Call(a->ChannelSelect, (ulong)&exp, 1, 0) == 0, "ChannelSelect did not see the message");
                break;
            }
            case "ChannelClose":
            {
                int imp = 0, exp = 0;
                a->ChannelCreate(&imp, &exp);
                Expect((int)Call(a->ChannelClose, (ulong)imp) == 0 && (int)Call(a->ChannelClose, (ulong)exp) == 0, "ChannelClose failed");
                break;
            }
            case "NameRegister":
            {
                int imp = 0, exp = 0;
                a->ChannelCreate(&imp, &exp);
                int n = Text("/stackedge/" + Sip.Id.ToString());
                fixed (byte* t = s_text) Expect((int)Call(a->NameRegister, (ulong)t, (ulong)n, (ulong)imp) == 0, "NameRegister failed");
                break;
            }
            case "NameBind":
            {
                int imp = 0, exp = 0, client = 0;
                a->ChannelCreate(&imp, &exp);
                int n = Text("/stackedge/" + Sip.Id.ToString());
                fixed (byte* t = s_text)
                {
                    Expect(a->NameRegister(t, n, imp) == 0, "could not register a name");
                    Expect((int)Call(a->NameBind, (ulong)t, (ulong)n, (ulong)&client) == 0 && client > 0, "NameBind failed");
                }
                break;
            }
            case "ExchangeBytes":
            {
                ulong h = a->ExAllocate(4096);
                Expect(Call(a->ExchangeBytes) >= 4096, "ExchangeBytes does not count the block");
                a->ExFree(h);
                break;
            }
            // Process control is the /kernel/processes endpoint now: the retired entries refuse
            // every caller (NotPermitted), at the guard page as anywhere.
            case "SipStart":
            {
                int n = Text("stackedgeidle");          // module "stackedge", arguments "idle"
                fixed (byte* t = s_text) Expect((int)Call(a->SipStart, (ulong)t, 9, (ulong)(t + 9), 4) == KernelAbi.NotPermitted, "the retired SipStart was not refused");
                break;
            }
            case "SipWait":
            {
                int id = Processes.Start("stackedge", "idle");
                int code = 0;
                Expect((int)Call(a->SipWait, (ulong)id, 1_000_000, (ulong)&code) == KernelAbi.NotPermitted, "the retired SipWait was not refused");
                Processes.Kill(id);
                break;
            }
            case "SipKill":
            {
                int id = Processes.Start("stackedge", "idle");
                Expect((int)Call(a->SipKill, (ulong)id) == KernelAbi.NotPermitted, "the retired SipKill was not refused");
                Expect(Processes.Wait(id, 0, out _) == SipOutcome.Running, "the retired SipKill killed its child");
                Processes.Kill(id);
                break;
            }
            case "ConsoleRead":
                // Console input is the /kernel/console-input endpoint now: the retired entry refuses.
                fixed (byte* t = s_text) Expect((int)Call(a->ConsoleRead, (ulong)t, 16, 1_000_000) == -1, "the retired ConsoleRead was not refused");
                break;
            case "SipList":
                fixed (byte* b = s_sipInfos) Expect((int)Call(a->SipList, (ulong)b, 8) == KernelAbi.NotPermitted, "the retired SipList was not refused");
                break;
            case "GetMemoryInfo":
            {
                MemoryInfo m = default;
                Call(a->GetMemoryInfo, (ulong)&m);
                Expect(m.UsableBytes != 0 && m.LiveSips >= 1, "GetMemoryInfo gave nothing");
                break;
            }
            case "FailProcessWithTrace":
            {
                int n = Text("failing from the edge with a trace");
                ulong* trace = stackalloc ulong[1];
                trace[0] = (ulong)(delegate*<int>)&Main;
                fixed (byte* t = s_text) Call(a->FailProcessWithTrace, (ulong)t, (ulong)n, (ulong)trace, 1);
                Wrong("FailProcessWithTrace returned");
                break;
            }
            case "SetFaultEntry":
            {
                // A hostile entry (not in this SIP's code) is ignored: a null dereference must
                // still become a NullReferenceException through the runtime's own entry.
                Call(a->SetFaultEntry, 1);
                Expect(NullCaught(), "a null dereference was not caught after SetFaultEntry(1)");
                break;
            }
            case "TakeStartupEndpoint":
            {
                int n = Text("/none");
                fixed (byte* t = s_text) Expect((int)Call(a->TakeStartupEndpoint, (ulong)t, (ulong)n) == -1, "an endpoint that was never wired");
                break;
            }
            case "ExchangeHeaders":
                Expect(Call(a->ExchangeHeaders) != 0, "no exchange-block header directory");
                break;
            case "ChannelCall":
            {
                // The reply is queued before the call: it sends 44 to the peer, then receives 45.
                int imp = 0, exp = 0;
                a->ChannelCreate(&imp, &exp);
                ChannelMessage reply = default;
                reply.Tag = 45;
                a->ChannelSend(exp, &reply, 0);
                ChannelMessage m = default;
                m.Tag = 44;
                Expect((int)Call(a->ChannelCall, (ulong)imp, (ulong)&m, (ulong)&m, 0) == 0 && m.Tag == 45, "ChannelCall failed");
                ChannelMessage r = default;
                Expect(a->ChannelReceive(exp, &r, 1_000_000) == 0 && r.Tag == 44, "the request did not arrive");
                break;
            }
            case "ChannelReceiveAny":
            {
                // A message waits on the second of two endpoints: its index and the message come back.
                int imp = 0, exp = 0, imp2 = 0, exp2 = 0;
                a->ChannelCreate(&imp, &exp);
                a->ChannelCreate(&imp2, &exp2);
                ChannelMessage m = default;
                m.Tag = 46;
                a->ChannelSend(imp2, &m, 0);
                int* set = stackalloc int[2];
                set[0] = exp;
                set[1] = exp2;
                ChannelMessage got = default;
                int index = -1;
                Expect((int)Call(a->ChannelReceiveAny, (ulong)set, 2, (ulong)&got, (ulong)&index, 0) == 0 && index == 1 && got.Tag == 46,
                       "ChannelReceiveAny failed");
                break;
            }
            case "DeviceList":
            {
                // Room for one record: the count is every PCI function (QEMU's machine has several).
                DeviceInfo d = default;
                Expect((int)Call(a->DeviceList, (ulong)&d, 1) > 1 && d.VendorId != 0, "DeviceList gave nothing");
                break;
            }
            case "IoRange":
            {
                ulong* info = stackalloc ulong[2];
                Expect((int)Call(a->IoRange, 0, 0, (ulong)info) == -1 && (int)Call(a->IoRange, 1, 0, (ulong)info) == -1 && (int)Call(a->IoRange, 2, 0, (ulong)info) == -1,
                       "a SIP with no grant got an I/O range or an interrupt line");
                break;
            }
            case "PortRead":
                Call(a->PortRead, 0, 0, 1);
                Wrong("PortRead without a grant returned");
                break;
            case "PortWrite":
                Call(a->PortWrite, 0, 0, 1, 0);
                Wrong("PortWrite without a grant returned");
                break;
            case "MemoryRead":
                Call(a->MemoryRead, 0, 0, 4);
                Wrong("MemoryRead without a grant returned");
                break;
            case "MemoryWrite":
                Call(a->MemoryWrite, 0, 0, 4, 0);
                Wrong("MemoryWrite without a grant returned");
                break;
            case "DmaAllocate":
            {
                // A SIP that is no driver holds no PCI device: no DMA buffer, and the address stays 0.
                ulong address = 1;
                Expect(Call(a->DmaAllocate, 4096, (ulong)&address) == 0 && address == 0, "a SIP with no device got a DMA buffer");
                break;
            }
            case "DmaAddress":
                Expect(Call(a->DmaAddress, 0) == 0 && Call(a->DmaAddress, 0x1234567800000001UL) == 0, "DmaAddress of no block gave an address");
                break;
            case "InterruptWait":
                Call(a->InterruptWait, 0, 1000000);
                Wrong("InterruptWait without a grant returned");
                break;
            case "InterruptAck":
                Call(a->InterruptAck, 0);
                Wrong("InterruptAck without a grant returned");
                break;
            case "ChannelReplyAndReceive":
            {
                // The reply (tag 56) goes out on imp and is the message then received on exp: index 0, reply Ok.
                int imp = 0, exp = 0;
                a->ChannelCreate(&imp, &exp);
                ChannelMessage m = default;
                m.Tag = 56;
                int* set = stackalloc int[1];
                set[0] = exp;
                int* results = stackalloc int[2];
                results[0] = results[1] = 7;
                Expect((int)Call(a->ChannelReplyAndReceive, (ulong)(uint)imp | 1UL << 32, (ulong)&m, (ulong)&m, (ulong)set, (ulong)results, 0) == 0
                       && results[0] == 0 && results[1] == 0 && m.Tag == 56, "ChannelReplyAndReceive failed");
                break;
            }
            case "spin":
                Spin();
                break;
            case "guard":
                // The call itself cannot push its return address: a stack overflow in this SIP's code.
                CallAtEdge(GuardTop(), a->MonotonicNs, 0, 0, 0, 0);
                Wrong("a call with no stack left returned");
                break;
            default:
                Wrong("unknown step");
                break;
        }
        Debug.WriteLine("stackedge: step " + name + (edge ? " edge" : " normal") + (s_wrong == 0 ? ": results ok" : ": WRONG results"));
        return s_wrong == 0 ? 0 : 1;
    }

    // Timer interrupts (1 kHz) arrive while the stack pointer sits at the edge: the spin lasts
    // about 100 ms by the cycle counter, and the kernel's clock, which only the timer tick
    // advances, must have moved by at least 10 ms across it.
    private static void Spin()
    {
        ulong c0 = ReadTsc(), n0 = s_abi->MonotonicNs();
        s_abi->Sleep(20_000_000);
        ulong perMs = (ReadTsc() - c0) / ((s_abi->MonotonicNs() - n0) / 1_000_000 + 1);
        ulong t0 = s_abi->MonotonicNs();
        ulong spins = s_edge ? SpinAtEdge(GuardTop() + EdgeMargin, perMs * 100) : SpinHere(perMs * 100);
        ulong ms = (s_abi->MonotonicNs() - t0) / 1_000_000;
        if (s_edge) Debug.WriteLine("stackedge: spin with the stack pointer at guard+" + s_margin.ToString());
        Debug.WriteLine("stackedge: spun " + ms.ToString() + " ms of timer ticks (" + spins.ToString() + " rounds)");
        Expect(ms >= 10, "the clock did not advance: no timer interrupts arrived");
        Expect(!s_edge || s_margin <= MaxMargin, "the stack pointer was not within 256 bytes of the guard page");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong SpinHere(ulong cycles)
    {
        ulong t0 = ReadTsc(), spins = 0;
        while (ReadTsc() - t0 < cycles) spins++;
        return spins;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong SpinAtEdge(ulong target, ulong cycles)
    {
        ulong here = ReadRsp();
        byte* pad = stackalloc byte[(int)(here - target)];
        pad[0] = 1;
        s_margin = ReadRsp() - s_guardTop;
        ulong t0 = ReadTsc(), spins = 0;
        while (ReadTsc() - t0 < cycles) spins++;
        return spins;
    }

    private static void MarkThread(ulong value)
    {
        s_threadRan = (int)value;
        s_abi->ExitThread(0);
    }

    private static void ExitThreadAtEdge(ulong unused)
    {
        s_threadRan = 1;
        Call(s_abi->ExitThread, 3);
        s_threadRan = 2;                        // never: ExitThread does not return
    }

    private static bool NullCaught()
    {
        try { return Deref(null) == 0; }
        catch (NullReferenceException) { return true; }
    }

    private sealed class Box { public int Value; }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Deref(Box b) => b.Value;

    // ---- calling at the edge ----------------------------------------------------------------

    // Calls an entry at a normal depth, or with the stack pointer EdgeMargin bytes above the guard page.
    private static ulong Call(void* entry, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
    {
        if (!s_edge) return ((delegate*<ulong, ulong, ulong, ulong, ulong, ulong, ulong>)entry)(a0, a1, a2, a3, a4, a5);
        ulong r = CallAtEdge(GuardTop() + EdgeMargin, entry, a0, a1, a2, a3, a4, a5);
        Debug.WriteLine("stackedge: " + s_step + " called with the stack pointer at guard+" + s_margin.ToString());
        Expect(s_margin <= MaxMargin, "the stack pointer was not within 256 bytes of the guard page");
        return r;
    }

    // Moves the stack pointer down to `target` (16-byte aligned) with stackalloc, then calls.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong CallAtEdge(ulong target, void* entry, ulong a0, ulong a1, ulong a2, ulong a3, ulong a4 = 0, ulong a5 = 0)
    {
        ulong here = ReadRsp();
        if (here <= target + 64) return 0;
        byte* pad = stackalloc byte[(int)(here - target)];
        pad[0] = 1;
        s_margin = ReadRsp() - s_guardTop;
        return ((delegate*<ulong, ulong, ulong, ulong, ulong, ulong, ulong>)entry)(a0, a1, a2, a3, a4, a5);
    }

    private static ulong s_guardTop;           // set by GuardTop, read by the edge calls

    // The lowest usable address of this thread's stack: its top (the caller's own range comes
    // first from GetStackRanges) minus its size (docs/abi.md).
    private static ulong GuardTop()
    {
        fixed (ulong* r = s_ranges)
        {
            int n = s_abi->GetStackRanges(r, 256);
            if (n < 1) { Wrong("GetStackRanges gave nothing"); return 0; }
            s_guardTop = r[1] - SipLimits.ThreadStackBytes;
            return s_guardTop;
        }
    }

    private static int Text(string s)
    {
        for (int i = 0; i < s.Length; i++) s_text[i] = (byte)s[i];
        return s.Length;
    }

    private static void Expect(bool ok, string what)
    {
        if (!ok) Wrong(what);
    }

    private static void Wrong(string what)
    {
        s_wrong++;
        Debug.WriteLine("stackedge: step " + s_step + (s_edge ? " edge" : " normal") + ": WRONG " + what);
    }
}

namespace System.Runtime
{
    // ilc binds a method to a native symbol by this attribute's name; the core library's own is
    // internal, so the fixture declares one (only unverified code can: SV0105).
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class RuntimeImportAttribute : Attribute
    {
        public RuntimeImportAttribute(string library, string entry) { }
    }
}

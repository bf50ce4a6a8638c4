using Singularity;
using Singularity.Drivers;

// Driver costs for `./sing bench` (docs/benchmarks.md), in instructions under QEMU -icount:
// one IoPortRange read, one IoMemoryRange read (each a kernel call checked against the grant),
// and the interrupt latency: from the interrupt's arrival at the kernel's stub to this driver's
// thread returning from InterruptLine.Wait. The interrupt is the RTC's periodic one (IRQ 8),
// which the bench programs itself through the CMOS ports, so it comes at a known rate and only
// while the bench asks for it. The arrival's timestamp is the test kernel's (the stub of
// kernel-test.elf records the TSC; `test=bench-irq` sums it per interrupt on line 8 and prints
// `bench irq-arrivals`); this SIP prints the sum of its return timestamps for the same
// interrupts (`bench irq-returns`), and Tests/bench subtracts. The TSC is one clock for both.
// Harmless hardware: the CMOS index and data ports (nothing in the kernel uses them), VGA text
// memory only read (the bench boots without the display driver).
[assembly: Device("isa/bench")]
[assembly: IoPorts(0x70, 2)]            // CMOS/RTC: index (0), data (1): port range 0
[assembly: IoMemory(0xB8000, 4000)]     // VGA text memory, read only here: memory range 0
[assembly: Irq(8)]                      // the RTC's periodic interrupt: line 0 of the grant

public static class Program
{
    private const int Iterations = 2000;
    // Interrupts: the first WarmUp are not summed (the kernel's hook skips as many).
    private const int WarmUp = 8;
    private const int Interrupts = 200;

    private const byte RegisterA = 0x0A, RegisterB = 0x0B, RegisterC = 0x0C;

    public static int Main()
    {
        IoPortRange cmos = IoPortRange.Granted(0);
        IoMemoryRange vga = IoMemoryRange.Granted(0);
        InterruptLine rtc = InterruptLine.Granted(0);
        if (cmos == null || vga == null || rtc == null) { Debug.WriteLine("driverbench: FAILED the grant lacks a range or the line"); return 1; }
        PortRead(cmos);
        MemoryRead(vga);
        return InterruptLatency(cmos, rtc) ? 0 : 1;
    }

    private static void Report(string name, ulong cycles, ulong count)
    {
        Debug.WriteLine("bench " + name + ": " + (cycles / count).ToString() + " instructions");
    }

    // One 8-bit read of the CMOS data port (register A: reading it changes nothing).
    private static void PortRead(IoPortRange cmos)
    {
        cmos.Write8(0, RegisterA);
        uint sink = 0;
        for (int i = 0; i < 100; i++) sink += cmos.Read8(1);       // warm up
        ulong t0 = Clock.ReadCycles();
        for (int i = 0; i < Iterations; i++) sink += cmos.Read8(1);
        ulong t1 = Clock.ReadCycles();
        ulong empty0 = Clock.ReadCycles();
        for (int i = 0; i < Iterations; i++) sink += (uint)i;
        ulong empty1 = Clock.ReadCycles();
        ulong loop = empty1 - empty0;
        Report("port-read", (t1 - t0) > loop ? (t1 - t0) - loop : 0, Iterations);
        if (sink == 42) Debug.WriteLine("");
    }

    // One 32-bit read of VGA text memory (the first two cells).
    private static void MemoryRead(IoMemoryRange vga)
    {
        uint sink = 0;
        for (int i = 0; i < 100; i++) sink += vga.Read32(0);        // warm up
        ulong t0 = Clock.ReadCycles();
        for (int i = 0; i < Iterations; i++) sink += vga.Read32(0);
        ulong t1 = Clock.ReadCycles();
        ulong empty0 = Clock.ReadCycles();
        for (int i = 0; i < Iterations; i++) sink += (uint)i;
        ulong empty1 = Clock.ReadCycles();
        ulong loop = empty1 - empty0;
        Report("mmio-read", (t1 - t0) > loop ? (t1 - t0) - loop : 0, Iterations);
        if (sink == 42) Debug.WriteLine("");
    }

    private static byte ReadCmos(IoPortRange cmos, byte register)
    {
        cmos.Write8(0, register);
        return cmos.Read8(1);
    }

    private static void WriteCmos(IoPortRange cmos, byte register, byte value)
    {
        cmos.Write8(0, register);
        cmos.Write8(1, value);
    }

    // The RTC's periodic interrupt at 8,192 Hz (rate 3: 122 us, about 122,000 instructions
    // under -icount, far more than one round of this loop), so each interrupt finds the thread
    // waiting. Reading register C lowers the RTC's request; only then can the next period raise
    // it again, and the line is unmasked (Acknowledge) after that: one interrupt per Wait.
    private static bool InterruptLatency(IoPortRange cmos, InterruptLine rtc)
    {
        WriteCmos(cmos, RegisterA, (byte)((ReadCmos(cmos, RegisterA) & 0xF0) | 3));
        ReadCmos(cmos, RegisterC);
        WriteCmos(cmos, RegisterB, (byte)(ReadCmos(cmos, RegisterB) | 0x40));   // periodic interrupt on
        ulong sum = 0;
        int summed = 0;
        bool ok = true;
        for (int i = 0; i < WarmUp + Interrupts; i++)
        {
            if (!rtc.Wait(1000)) { Debug.WriteLine("driverbench: FAILED no RTC interrupt within a second"); ok = false; break; }
            ulong t = Clock.ReadCycles();
            if (i >= WarmUp) { sum += t; summed++; }
            ReadCmos(cmos, RegisterC);
            rtc.Acknowledge();
        }
        WriteCmos(cmos, RegisterB, (byte)(ReadCmos(cmos, RegisterB) & ~0x40 & 0xFF));   // and off again
        ReadCmos(cmos, RegisterC);
        Debug.WriteLine("bench irq-returns: count " + summed.ToString() + " sum " + sum.ToString());
        return ok;
    }
}

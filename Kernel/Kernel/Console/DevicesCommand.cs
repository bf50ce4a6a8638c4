using Singularity.Abi;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.IO.Pci;
using Singularity.Kernel.IO.Drivers;

namespace Singularity.Kernel.Console
{
    /// <summary>
    /// `devices`: the PCI functions found at boot, one line each, then one line per decoded BAR:
    ///     devices: 00:03.0 8086:100e class 02/00/00 Ethernet controller irq 11 pin A msi
    ///     devices:   bar0 mem32 0x00000000febc0000 size 131072
    ///     devices:   bar1 io 0x000000000000c000 size 64
    /// and, from the I/O manager, which driver SIP holds it (docs/drivers.md). Tests parse these lines.
    /// </summary>
    internal static unsafe class DevicesCommand
    {
        public static void Register() => DebugConsole.AddCommand("devices", "devices", &Run);

        private static void Run(string args)
        {
            for (int i = 0; i < PciBus.Count; i++)
            {
                DeviceInfo* d = PciBus.At(i);
                // Each line goes out whole: interrupts off while it is written.
                ulong flags = Log.BeginLine();
                Log.Write("devices: "); Hex(d->Bus, 2); Log.WriteChar(':'); Hex(d->Device, 2); Log.WriteChar('.'); Hex(d->Function, 1);
                Log.WriteChar(' '); Hex(d->VendorId, 4); Log.WriteChar(':'); Hex(d->DeviceId, 4);
                Log.Write(" class "); Hex(d->Class, 2); Log.WriteChar('/'); Hex(d->Subclass, 2); Log.WriteChar('/'); Hex(d->ProgIf, 2);
                Log.WriteChar(' '); Log.Write(PciBus.ClassName(d->Class, d->Subclass));
                if (d->InterruptPin != 0)
                {
                    Log.Write(" irq "); Log.WriteDecimal((ulong)d->InterruptLine);
                    Log.Write(" pin "); Log.WriteChar((char)('A' + d->InterruptPin - 1));
                }
                if ((d->Flags & DeviceInfo.FlagMsi) != 0) Log.Write(" msi");
                if ((d->Flags & DeviceInfo.FlagMsiX) != 0) Log.Write(" msi-x");
                if ((d->Flags & DeviceInfo.FlagMultifunction) != 0) Log.Write(" multifunction");
                Log.WriteLine();
                Log.EndLine(flags);
                for (int b = 0; b < DeviceInfo.BarCount; b++)
                {
                    byte kind = d->BarKind[b];
                    if (kind == DeviceInfo.BarUnused) continue;
                    flags = Log.BeginLine();
                    Log.Write("devices:   bar"); Log.WriteDecimal((ulong)b);
                    Log.Write(kind == DeviceInfo.BarIo ? " io " : kind == DeviceInfo.BarMemory32 ? " mem32 " : " mem64 ");
                    if (d->BarPrefetchable[b] != 0) Log.Write("prefetchable ");
                    Log.WriteHex(d->BarBase[b]); Log.Write(" size "); Log.WriteDecimal(d->BarSize[b]);
                    Log.WriteLine();
                    Log.EndLine(flags);
                }
            }
            IoManager.WriteGrants();
            Log.Write("devices: listed "); Log.WriteDecimal((ulong)PciBus.Count); Log.WriteLine(" functions");
        }

        // Lower-case hexadecimal without a prefix, zero-padded.
        private static void Hex(ulong value, int digits)
        {
            for (int i = digits - 1; i >= 0; i--)
            {
                int x = (int)((value >> (i * 4)) & 0xF);
                Log.WriteChar((char)(x < 10 ? '0' + x : 'a' + x - 10));
            }
        }
    }
}

using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.IO;
using Singularity.Kernel.IO.Drivers;
using Singularity.Kernel.IO.Pci;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>
    /// System calls: the PCI device list (`devices` in the shell) and a driver's I/O through its
    /// grant (IO/Drivers/IoManager.cs; docs/drivers.md). Every range index, offset and width a SIP
    /// passes is checked against the caller's own grant with checked arithmetic; an access outside
    /// it fails the caller (it is a driver bug or an attack), never anything else.
    /// </summary>
    internal static unsafe class DeviceSyscalls
    {
        public static void Register(KernelAbi* t)
        {
            t->DeviceList = &AbiDeviceList;
            t->IoRange = &AbiIoRange;
            t->PortRead = &AbiPortRead;
            t->PortWrite = &AbiPortWrite;
            t->MemoryRead = &AbiMemoryRead;
            t->MemoryWrite = &AbiMemoryWrite;
            t->DmaAllocate = &AbiDmaAllocate;
            t->DmaAddress = &AbiDmaAddress;
        }

        // A DMA buffer for a driver holding a PCI device (IO/DmaBuffers.cs checks the length, the
        // grant and the quota); the device address goes to the runtime's own local. A refusal is
        // logged with its reason and returns 0 (the runtime throws in the driver).
        private static ulong AbiDmaAllocate(ulong length, ulong* deviceAddress)
        {
            if (deviceAddress == null) return 0;
            Sip sip = AbiTable.Caller;
            ulong handle = DmaBuffers.Allocate(sip, length, out ulong address, out string error);
            if (handle == 0)
            {
                ulong flags = Log.BeginLine();
                Log.Write("io: "); Log.Write(sip.Name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id);
                Log.Write(" gets no DMA buffer of "); Log.WriteDecimal(length); Log.Write(" bytes: "); Log.WriteLine(error);
                Log.EndLine(flags);
            }
            *deviceAddress = address;
            return handle;
        }

        private static ulong AbiDmaAddress(ulong handle) => DmaBuffers.AddressOf(AbiTable.Caller, handle);

        // Copies at most `max` records (clamped to the table's size) into the runtime's buffer and
        // returns how many functions there are. The table never changes after boot.
        private static int AbiDeviceList(DeviceInfo* buffer, int max)
        {
            int n = PciBus.Count;
            if (buffer == null || max <= 0) return n;
            if (max > PciBus.MaxDevices) max = PciBus.MaxDevices;
            for (int i = 0; i < n && i < max; i++) buffer[i] = *PciBus.At(i);
            return n;
        }

        // The runtime passes a pointer to two ulongs of its own (base, length).
        private static int AbiIoRange(int kind, int index, ulong* info)
        {
            if (info == null) return -1;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            DriverGrant g = IoManager.Of(AbiTable.Caller);
            int result = -1;
            if (g != null && kind == 0 && index >= 0 && index < g.PortCount) { info[0] = g.PortBase[index]; info[1] = g.PortLength[index]; result = 0; }
            else if (g != null && kind == 1 && index >= 0 && index < g.MemoryCount) { info[0] = g.MemoryBase[index]; info[1] = g.MemoryLength[index]; result = 0; }
            else if (g != null && kind == 2 && index >= 0 && index < g.IrqCount) { info[0] = (ulong)g.Irqs[index]; info[1] = 1; result = 0; }   // an interrupt line
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }

        // The absolute address of [offset, offset + width) in the caller's range, or fails the caller.
        // Interrupts off on return (the grant cannot go while the access runs).
        private static ulong Resolve(bool ports, int index, ulong offset, int width)
        {
            Cpu.DisableInterrupts();
            Sip sip = AbiTable.Caller;
            DriverGrant g = IoManager.Of(sip);
            int count = g == null ? 0 : ports ? g.PortCount : g.MemoryCount;
            bool widthOk = width == 1 || width == 2 || width == 4 || (!ports && width == 8);
            if (g == null || index < 0 || index >= count || !widthOk)
                Refuse(sip, ports, index, offset, width, g == null ? "it holds no I/O grant" : "no such range or width");
            ulong b = ports ? g.PortBase[index] : g.MemoryBase[index];
            ulong l = ports ? g.PortLength[index] : g.MemoryLength[index];
            // offset + width <= length, without overflow; memory accesses naturally aligned.
            if (offset > l || (ulong)width > l - offset || (!ports && (offset & (ulong)(width - 1)) != 0))
                Refuse(sip, ports, index, offset, width, "outside its grant");
            return b + offset;
        }

        // Fails the calling SIP; does not return.
        private static void Refuse(Sip sip, bool ports, int index, ulong offset, int width, string why)
        {
            ulong flags = Log.BeginLine();
            Log.Write("io: "); Log.Write(sip.Name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id);
            Log.Write(ports ? " port access: range " : " memory access: range "); Log.WriteDecimal((long)index);
            Log.Write(" offset "); Log.WriteHex(offset); Log.Write(" width "); Log.WriteDecimal((long)width);
            Log.Write(": "); Log.WriteLine(why);
            Log.EndLine(flags);
            Cpu.DisableInterrupts();
            sip.Fail(ports ? "I/O port access outside its grant" : "I/O memory access outside its grant", 0);
            Scheduler.LeaveDeadThread();
        }

        private static ulong AbiPortRead(int index, ulong offset, int width)
        {
            ulong flags = Cpu.ReadRflags();
            ushort port = (ushort)Resolve(true, index, offset, width);
            ulong v = width == 1 ? Cpu.InB(port) : width == 2 ? Cpu.InW(port) : (ulong)Cpu.InL(port);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return v;
        }

        private static void AbiPortWrite(int index, ulong offset, int width, ulong value)
        {
            ulong flags = Cpu.ReadRflags();
            ushort port = (ushort)Resolve(true, index, offset, width);
            if (width == 1) Cpu.OutB(port, (byte)value);
            else if (width == 2) Cpu.OutW(port, (ushort)value);
            else Cpu.OutL(port, (uint)value);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        // Device memory is identity-mapped below 4 GiB (Memory/Paging.cs); the grant lies there.
        private static ulong AbiMemoryRead(int index, ulong offset, int width)
        {
            ulong flags = Cpu.ReadRflags();
            ulong a = Resolve(false, index, offset, width);
            ulong v = width == 1 ? *(byte*)a : width == 2 ? *(ushort*)a : width == 4 ? *(uint*)a : *(ulong*)a;
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return v;
        }

        private static void AbiMemoryWrite(int index, ulong offset, int width, ulong value)
        {
            ulong flags = Cpu.ReadRflags();
            ulong a = Resolve(false, index, offset, width);
            if (width == 1) *(byte*)a = (byte)value;
            else if (width == 2) *(ushort*)a = (ushort)value;
            else if (width == 4) *(uint*)a = (uint)value;
            else *(ulong*)a = value;
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }
    }
}

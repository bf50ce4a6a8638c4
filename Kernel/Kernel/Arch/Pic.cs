namespace Singularity.Kernel.Arch
{
    /// <summary>The two 8259 interrupt controllers, remapped to vectors 32-47.</summary>
    internal static class Pic
    {
        private const ushort MasterCmd = 0x20, MasterData = 0x21, SlaveCmd = 0xA0, SlaveData = 0xA1;
        private static ushort s_mask = 0xFFFF;

        public static void Initialize()
        {
            Cpu.OutB(MasterCmd, 0x11); Cpu.OutB(SlaveCmd, 0x11);       // ICW1: init, expect ICW4
            Cpu.OutB(MasterData, Idt.IrqBase); Cpu.OutB(SlaveData, Idt.IrqBase + 8);
            Cpu.OutB(MasterData, 4); Cpu.OutB(SlaveData, 2);           // slave on IRQ2
            Cpu.OutB(MasterData, 1); Cpu.OutB(SlaveData, 1);           // 8086 mode
            s_mask = 0xFFFF;
            Unmask(2);                                                 // the cascade
            WriteMask();
        }

        public static void Unmask(int irq) { s_mask &= (ushort)~(1 << irq); WriteMask(); }
        public static void Mask(int irq) { s_mask |= (ushort)(1 << irq); WriteMask(); }

        private static void WriteMask()
        {
            Cpu.OutB(MasterData, (byte)s_mask);
            Cpu.OutB(SlaveData, (byte)(s_mask >> 8));
        }

        /// <summary>
        /// True for a spurious IRQ 7 or 15 (the controller withdrew the request); such an IRQ
        /// gets no EOI on its own controller.
        /// </summary>
        public static bool IsSpurious(int irq)
        {
            if (irq != 7 && irq != 15) return false;
            ushort cmd = irq == 7 ? MasterCmd : SlaveCmd;
            Cpu.OutB(cmd, 0x0B);                                       // read the in-service register
            if ((Cpu.InB(cmd) & 0x80) != 0) return false;
            if (irq == 15) Cpu.OutB(MasterCmd, 0x20);                  // the master did see the cascade
            return true;
        }

        public static void EndOfInterrupt(int irq)
        {
            if (irq >= 8) Cpu.OutB(SlaveCmd, 0x20);
            Cpu.OutB(MasterCmd, 0x20);
        }
    }
}

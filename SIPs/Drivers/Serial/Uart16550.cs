using Singularity.Drivers;

// A 16550 UART through the driver's grant: its eight registers (port range 0). Receive is
// interrupt-driven (IER bit 0: data available, FIFO trigger at one byte); transmit fills the
// 16-byte FIFO whenever the line status says it is empty. Every wait is bounded: a UART that
// stops taking bytes makes Write return short, never hangs the driver.
public sealed class Uart16550
{
    private const int Data = 0, InterruptEnable = 1, FifoControl = 2, InterruptId = 2, LineControl = 3,
                      ModemControl = 4, LineStatus = 5, ModemStatus = 6, Scratch = 7;
    private const int DataReady = 0x01, TransmitEmpty = 0x20;
    private const int FifoBytes = 16;
    private const int Patience = 20000;

    private readonly IoPortRange _ports;

    public Uart16550(IoPortRange ports) { _ports = ports; }

    /// <summary>Whether a received byte waits.</summary>
    public bool HasByte => (_ports.Read8(LineStatus) & DataReady) != 0;

    /// <summary>The next received byte (check HasByte first).</summary>
    public byte ReadByte() => _ports.Read8(Data);

    /// <summary>
    /// A clean device (at every start, a restart included): false when no UART answers at the
    /// ports (its line status reads 0xFF, or its scratch register does not keep a value).
    /// Otherwise 115200 baud 8N1, FIFOs on and cleared (receive trigger at one byte), DTR, RTS
    /// and OUT2 (the interrupt gate) on, what waited dropped, and the receive interrupt enabled.
    /// </summary>
    public bool Reset()
    {
        if (_ports.Read8(LineStatus) == 0xFF) return false;
        _ports.Write8(Scratch, 0x5A);
        if (_ports.Read8(Scratch) != 0x5A) return false;
        _ports.Write8(Scratch, 0xA5);
        if (_ports.Read8(Scratch) != 0xA5) return false;
        _ports.Write8(InterruptEnable, 0x00);
        _ports.Write8(LineControl, 0x80);          // DLAB on: the next two registers are the divisor
        _ports.Write8(Data, 0x01);                 // 115200 baud
        _ports.Write8(InterruptEnable, 0x00);
        _ports.Write8(LineControl, 0x03);          // 8 bits, no parity, one stop bit
        _ports.Write8(FifoControl, 0x07);          // FIFOs on and cleared, receive trigger at 1 byte
        _ports.Write8(ModemControl, 0x0B);         // DTR, RTS, OUT2
        for (int i = 0; i < 64 && HasByte; i++) ReadByte();
        _ports.Read8(InterruptId);                 // clears what was pending
        _ports.Read8(ModemStatus);
        _ports.Write8(InterruptEnable, 0x01);      // interrupt when data is available
        return true;
    }

    /// <summary>
    /// Puts <paramref name="count"/> bytes of <paramref name="bytes"/> from <paramref name="from"/>
    /// on the line, a FIFO's worth at a time; how many went out (fewer only when the UART stopped
    /// emptying its FIFO for the whole bounded wait).
    /// </summary>
    public int Write(byte[] bytes, int from, int count)
    {
        int sent = 0;
        while (sent < count)
        {
            if (!WaitTransmitEmpty()) return sent;
            int chunk = count - sent < FifoBytes ? count - sent : FifoBytes;
            for (int i = 0; i < chunk; i++) _ports.Write8(Data, bytes[from + sent + i]);
            sent += chunk;
        }
        return sent;
    }

    private bool WaitTransmitEmpty()
    {
        for (int i = 0; i < Patience; i++) if ((_ports.Read8(LineStatus) & TransmitEmpty) != 0) return true;
        return false;
    }
}

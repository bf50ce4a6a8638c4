using Singularity.Drivers;

// The i8042 keyboard controller through the driver's grant: the data port (0x60, range 0) and
// the status/command port (0x64, range 1). Every wait on the controller is bounded: a controller
// that does not answer makes Reset return false, never hangs the driver.
public sealed class I8042
{
    private const int StatusOutputFull = 0x01, StatusInputFull = 0x02;
    private const byte ReadConfig = 0x20, WriteConfig = 0x60, EnableKeyboard = 0xAE;
    private const byte ConfigKeyboardIrq = 0x01, ConfigKeyboardClockOff = 0x10, ConfigTranslate = 0x40;
    private const int Patience = 100000;

    private readonly IoPortRange _data, _status;

    public I8042(IoPortRange data, IoPortRange status) { _data = data; _status = status; }

    /// <summary>Whether a byte waits in the output buffer.</summary>
    public bool HasByte => (_status.Read8(0) & StatusOutputFull) != 0;

    /// <summary>The byte in the output buffer (check HasByte first).</summary>
    public byte ReadByte() => _data.Read8(0);

    /// <summary>
    /// A clean device (at every start, a restart included): drops what waits in the output buffer,
    /// enables the keyboard port, its interrupt (IRQ 1) and translation to scancode set 1.
    /// </summary>
    public bool Reset()
    {
        Drain();
        if (!Command(ReadConfig)) return false;
        if (!WaitOutput()) return false;
        byte config = _data.Read8(0);
        config = (byte)((config | ConfigKeyboardIrq | ConfigTranslate) & ~ConfigKeyboardClockOff);
        if (!Command(WriteConfig) || !WaitInputEmpty()) return false;
        _data.Write8(0, config);
        if (!Command(EnableKeyboard)) return false;
        Drain();
        return true;
    }

    private void Drain()
    {
        for (int i = 0; i < 64 && HasByte; i++) _data.Read8(0);
    }

    private bool Command(byte command)
    {
        if (!WaitInputEmpty()) return false;
        _status.Write8(0, command);
        return true;
    }

    private bool WaitInputEmpty()
    {
        for (int i = 0; i < Patience; i++) if ((_status.Read8(0) & StatusInputFull) == 0) return true;
        return false;
    }

    private bool WaitOutput()
    {
        for (int i = 0; i < Patience; i++) if (HasByte) return true;
        return false;
    }
}

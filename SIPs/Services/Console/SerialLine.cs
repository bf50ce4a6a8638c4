using Singularity;
using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Threading;

// The console's serial line, through the 16550 driver (SerialContract on /service/serial,
// SIPs/Drivers/Serial, which drives COM2; COM1 stays the kernel's log and debug console,
// docs/drivers.md "The serial driver"). Output: every piece the console prints goes to the driver
// when one serves the name (a bind is tried at each write while none is bound), else to the kernel
// log, as before there was a driver. A driver that dies, closes, breaks the contract or does not
// answer within ReplyTimeoutMs loses its channel and the next write binds again. Input: a thread
// subscribes to the driver's received bytes (again after each restart), edits the line
// (Backspace/Delete), echoes it on the line, and at Enter hands it to the reader of
// /service/console-lines (the shell), as the keyboard's lines are (KeyboardInput.cs).
public sealed class SerialLine
{
    // A driver that takes longer than this to put one piece on the line is treated as gone (so a
    // hung driver cannot stall the console, whose clients wait for their Ack).
    private const int ReplyTimeoutMs = 2000;
    private const int MaxLine = 256;

    private readonly object _gate = new object();      // one write on the line at a time (output and echo)
    private TRef<SerialContract.Imp> _writer;          // null while not bound
    private readonly KeyboardInput _lines;              // where finished lines go

    private SerialLine(KeyboardInput lines) { _lines = lines; }

    /// <summary>Starts reading the line (a thread of its own); finished lines go to <paramref name="lines"/>' reader.</summary>
    public static SerialLine Start(KeyboardInput lines)
    {
        var serial = new SerialLine(lines);
        Thread.Start(() => serial.ReadInput());
        return serial;
    }

    /// <summary>Puts the ASCII bytes on the serial line through the driver, or on the kernel log while no driver serves.</summary>
    public void Write(byte[] text)
    {
        if (text.Length == 0) return;
        bool sent;
        lock (_gate) sent = TrySend(text);
        if (!sent) Debug.Write(string.FromAscii(text));
    }

    // Through the driver, binding it first if needed; false when no driver took the bytes. A
    // channel that fails is dropped and a new one bound once, so the first write after a driver's
    // restart reaches the restarted driver.
    private bool TrySend(byte[] text)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            bool fresh = false;
            if (_writer == null)
            {
                SerialContract.Bind(SerialService.ServiceName, out SerialContract.Imp bound);
                if (bound == null) return false;
                _writer = new TRef<SerialContract.Imp>(bound);
                fresh = true;
                Debug.WriteLine("console: writing to the serial line through " + SerialService.ServiceName);
            }
            ExBuffer buffer = ExBuffer.Allocate(text.Length);
            buffer.CopyFrom(text, 0);
            SerialContract.Imp writer = _writer.Acquire();
            writer.SendWrite(buffer);
            if (writer.RecvWritten(out int count, ReplyTimeoutMs) == ReceiveResult.Message)
            {
                _writer.Release(writer);
                return true;
            }
            writer.Close();
            _writer = null;
            Debug.WriteLine("console: the serial driver went away; output goes to the kernel log until it is back");
            if (fresh) return false;        // a driver just bound failed: not again now
        }
        return false;
    }

    // Echo of what is typed: on the line only (never on the kernel log), dropped while no driver serves.
    private void Echo(string text)
    {
        var bytes = new byte[text.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)text[i];
        lock (_gate) TrySend(bytes);
    }

    // Subscribes to the driver's received bytes (waiting while it is not there), then edits lines.
    // The line being typed survives a driver restart: it lives here, not in the driver.
    private void ReadInput()
    {
        var line = new byte[MaxLine];
        int n = 0;
        int wait = 50;
        bool afterReturn = false;
        while (true)
        {
            SerialContract.Bind(SerialService.ServiceName, out SerialContract.Imp input);
            if (input == null)
            {
                Thread.Sleep(wait);
                if (wait < 1000) wait *= 2;
                continue;
            }
            wait = 50;
            try
            {
                input.SendSubscribe();
                Debug.WriteLine("console: reading the serial line from " + SerialService.ServiceName);
                while (input.RecvReceived(out ExBuffer received) == ReceiveResult.Message)
                {
                    var bytes = new byte[received.Length];
                    received.CopyTo(bytes, 0);
                    received.Free();
                    for (int i = 0; i < bytes.Length; i++)
                    {
                        byte b = bytes[i];
                        if (b == (byte)'\n' && afterReturn) { afterReturn = false; continue; }   // CR LF is one Enter
                        afterReturn = b == (byte)'\r';
                        if (b == (byte)'\r' || b == (byte)'\n')
                        {
                            Echo("\r\n");
                            _lines.Send(line, n);
                            n = 0;
                        }
                        else if (b == 8 || b == 127)
                        {
                            if (n > 0) { n--; Echo("\b \b"); }
                        }
                        else if (b >= 32 && b < 127 && n < MaxLine)
                        {
                            line[n++] = b;
                            Echo(((char)b).ToString());
                        }
                    }
                }
            }
            finally { input.Close(); }      // the driver went away (a restart subscribes again)
        }
    }
}

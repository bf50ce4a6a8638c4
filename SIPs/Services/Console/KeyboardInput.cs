using Singularity;
using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Threading;

// The console service's keyboard input (the display's output is Program.cs's): takes key presses
// from the keyboard driver (/service/keyboard, KeyboardContract; bound again whenever the driver
// restarts), edits the line (Backspace), echoes what is typed, and at Enter sends the line to the
// newest subscriber of /service/console-lines (ConsoleLinesContract: the shell's Console.ReadLine,
// which merges it with the serial line's input). The echo goes to the display first (so a person
// at the screen sees the line being typed, and Backspace erasing), then to the serial line. Two
// threads of their own; the service's writers wait for them only while an echo is being shown
// (DisplayOutput takes one write at a time). Only SIPs granted
// `console-lines` may subscribe: the kernel's name service refuses the bind to any other
// (docs/security.md), so the newest subscriber is the shell's.
public sealed class KeyboardInput
{
    /// <summary>The name the console service registers for typed lines.</summary>
    public const string LinesName = "/service/console-lines";
    private const int MaxLine = 256;

    private readonly object _gate = new object();
    private TRef<ConsoleLinesContract.Exp> _reader;    // null while nobody reads lines
    private readonly DisplayOutput _display;            // where the typing is echoed, beside the serial line

    private KeyboardInput(DisplayOutput display) { _display = display; }

    /// <summary>Starts the two threads: the subscriber's listener and the keyboard reader (echoing on <paramref name="display"/>).</summary>
    public static KeyboardInput Start(DisplayOutput display)
    {
        var input = new KeyboardInput(display);
        Thread.Start(() => input.AcceptReaders());
        Thread.Start(() => input.ReadKeys());
        return input;
    }

    private void AcceptReaders()
    {
        if (!ConsoleLinesContract.Listener.TryRegister(LinesName, out ConsoleLinesContract.Listener listener))
        {
            Debug.WriteLine("console: " + LinesName + " is already taken or not granted; no keyboard input");
            return;
        }
        while (true)
        {
            ReceiveResult accepted = listener.Accept(out ConsoleLinesContract.Exp reader);
            if (reader == null)
            {
                if (accepted == ReceiveResult.ChannelClosed) return;
                continue;
            }
            var incoming = new TRef<ConsoleLinesContract.Exp>(reader);
            TRef<ConsoleLinesContract.Exp> previous;
            lock (_gate)
            {
                previous = _reader;
                _reader = incoming;
            }
            if (previous != null) previous.Acquire().Close();
            Debug.WriteLine("console: keyboard lines go to a new reader");
        }
    }

    // Binds the keyboard driver (waiting while it is not there), then edits lines from its keys.
    private void ReadKeys()
    {
        var line = new byte[MaxLine];
        int n = 0;
        int wait = 50;
        while (true)
        {
            KeyboardContract.Bind(KeyCodes.ServiceName, out KeyboardContract.Imp keys);
            if (keys == null)
            {
                Thread.Sleep(wait);
                if (wait < 1000) wait *= 2;
                continue;
            }
            wait = 50;
            Debug.WriteLine("console: reading keys from " + KeyCodes.ServiceName);
            try
            {
                while (keys.RecvKey(out int key, out int modifiers) == ReceiveResult.Message)
                {
                    if (key == KeyCodes.Enter)
                    {
                        Echo("\n");
                        Send(line, n);
                        n = 0;
                    }
                    else if (key == KeyCodes.Backspace)
                    {
                        if (n > 0) { n--; Echo("\b \b"); }
                    }
                    else if (key >= 32 && key < 127 && n < MaxLine)
                    {
                        line[n++] = (byte)key;
                        Echo(((char)key).ToString());
                    }
                }
            }
            finally { keys.Close(); }       // the driver went away (a restart binds again)
        }
    }

    // What was typed, on the display (when one runs) and then on the serial line: once the serial
    // line shows it, so does the screen (a test waits for the one to read the other).
    private void Echo(string text)
    {
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++) bytes[i] = (byte)text[i];
        try { _display.Write(bytes); }
        catch (System.Exception) { Debug.WriteLine("console: an echo could not be shown"); }
        Debug.Write(text);
    }

    // The line to the reader, if one subscribes (a line typed while none does is dropped). Also
    // the serial line's finished lines (SerialLine.cs).
    public void Send(byte[] line, int length)
    {
        var bytes = new byte[length > 0 ? length : 1];     // an exchange buffer has at least one byte
        for (int i = 0; i < length; i++) bytes[i] = line[i];
        lock (_gate)
        {
            if (_reader == null) return;
            ExBuffer buffer = ExBuffer.Allocate(bytes.Length);
            buffer.CopyFrom(bytes, 0);
            ConsoleLinesContract.Exp r = _reader.Acquire();
            r.SendLine(length, buffer);
            _reader.Release(r);
        }
    }
}

using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

// The console's second output: the text display (DisplayContract on /service/display, the VGA
// text driver SIPs/Drivers/Display). The console writes every piece to the serial line first
// and then here; the display is optional. While no display driver serves the name, writes reach
// the serial line only (a bind is tried at each write). The console keeps the last HistoryBytes
// of its output, and on each new bind (a driver that starts after the console, or that the
// supervisor restarted and so starts from a blank screen) sends that first: the screen shows
// the recent output, including what was written while no driver ran. A driver that closes,
// breaks the contract or does not answer within ReplyTimeoutMs loses its channel; the console
// goes on. Two threads write here (the clients' writes and the echo of typed keys,
// KeyboardInput.cs): one write at a time, each shown whole.
public sealed class DisplayOutput
{
    public const string ServiceName = "/service/display";

    // A display that takes longer than this to show one piece is treated as gone (so a hung
    // driver cannot stall the console, whose clients wait for their Ack).
    private const int ReplyTimeoutMs = 2000;

    private readonly object _gate = new object();
    private TRef<DisplayContract.Imp> _display;    // null while not bound

    // About a screenful (80x25 cells) of recent output, resent to a newly bound display.
    private const int HistoryBytes = 2048;
    private readonly byte[] _history = new byte[HistoryBytes];
    private int _historyEnd;        // where the next byte goes
    private bool _historyFull;      // the ring has wrapped: its oldest byte is at _historyEnd

    /// <summary>
    /// Shows the ASCII bytes on the display if one is there (after the recent output, when it is
    /// new); returns once the display showed them (or went away).
    /// </summary>
    public void Write(byte[] text)
    {
        if (text.Length == 0) return;
        lock (_gate) WriteLocked(text);
    }

    private void WriteLocked(byte[] text)
    {
        Remember(text);
        byte[] send = text;
        if (_display == null)
        {
            DisplayContract.Bind(ServiceName, out DisplayContract.Imp bound);
            if (bound == null) return;
            _display = new TRef<DisplayContract.Imp>(bound);
            Debug.WriteLine("console: showing output on " + ServiceName);
            send = History();           // holds text at its end
        }
        ExBuffer buffer = ExBuffer.Allocate(send.Length);
        buffer.CopyFrom(send, 0);
        DisplayContract.Imp display = _display.Acquire();
        display.SendWrite(buffer);
        if (display.RecvCursor(out int row, out int column, ReplyTimeoutMs) == ReceiveResult.Message)
        {
            _display.Release(display);
            return;
        }
        display.Close();
        _display = null;
        Debug.WriteLine("console: the display went away; output goes to the serial line only until it is back");
    }

    private void Remember(byte[] text)
    {
        // Only the last HistoryBytes of a long text can stay.
        int from = text.Length > HistoryBytes ? text.Length - HistoryBytes : 0;
        for (int i = from; i < text.Length; i++)
        {
            _history[_historyEnd] = text[i];
            if (++_historyEnd == HistoryBytes) { _historyEnd = 0; _historyFull = true; }
        }
    }

    // The remembered output, oldest first; once the ring has wrapped it starts after the first
    // newline, so the screen does not begin with the tail of a line.
    private byte[] History()
    {
        int count = _historyFull ? HistoryBytes : _historyEnd;
        int start = _historyFull ? _historyEnd : 0;
        int skip = 0;
        if (_historyFull)
        {
            while (skip < count - 1 && _history[(start + skip) % HistoryBytes] != (byte)'\n') skip++;
            if (skip < count - 1) skip++;
            else skip = 0;
        }
        var bytes = new byte[count - skip];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = _history[(start + skip + i) % HistoryBytes];
        return bytes;
    }
}

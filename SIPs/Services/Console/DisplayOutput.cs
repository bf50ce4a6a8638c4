using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

// The console's second output: the text display (DisplayContract on /service/display, the VGA
// text driver SIPs/Drivers/Display). The console writes every piece to the serial line first
// and then here; the display is optional. While no display driver serves the name, writes are
// dropped (a bind is tried at each write, so a driver that starts, or that the supervisor
// restarts, gets the console's output from its next write on). A driver that closes, breaks
// the contract or does not answer within ReplyTimeoutMs loses its channel; the console goes on.
public sealed class DisplayOutput
{
    public const string ServiceName = "/service/display";

    // A display that takes longer than this to show one piece is treated as gone (so a hung
    // driver cannot stall the console, whose clients wait for their Ack).
    private const int ReplyTimeoutMs = 2000;

    private TRef<DisplayContract.Imp> _display;    // null while not bound

    /// <summary>Shows the ASCII bytes on the display if one is there.</summary>
    public void Write(byte[] text)
    {
        if (text.Length == 0) return;
        if (_display == null)
        {
            DisplayContract.Bind(ServiceName, out DisplayContract.Imp bound);
            if (bound == null) return;
            _display = new TRef<DisplayContract.Imp>(bound);
            Debug.WriteLine("console: showing output on " + ServiceName);
        }
        ExBuffer buffer = ExBuffer.Allocate(text.Length);
        buffer.CopyFrom(text, 0);
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
}

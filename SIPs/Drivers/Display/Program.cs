using Singularity;
using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Drivers;

// The VGA text display driver (issue 18, docs/drivers.md): a legacy driver SIP that holds the
// 80x25 text buffer and the CRT controller's ports, and serves DisplayContract on
// /service/display (the console service is its client). It starts from a blank screen with
// the cursor at the top left, so a restarted driver (the supervisor restarts it) draws from a
// clean state; the console resends its recent output when it binds again.
[assembly: Device("isa/vga-text")]
[assembly: IoMemory(0xB8000, 4000)]
[assembly: IoPorts(0x3D4, 2)]

public static class Program
{
    public const string ServiceName = "/service/display";
    private const int MaxClients = 15;
    private const int Piece = 512;

    public static int Main()
    {
        IoMemoryRange text = IoMemoryRange.Granted(0);
        IoPortRange crtc = IoPortRange.Granted(0);
        if (text == null || crtc == null || text.Length < TextScreen.Cells * 2)
        {
            Debug.WriteLine("display: the text buffer and CRT controller ports were not granted");
            return 1;
        }
        var screen = new TextScreen();
        var vga = new VgaText(text, crtc);
        vga.ShowCursor();
        vga.Show(screen);
        if (!DisplayContract.Listener.TryRegister(ServiceName, out DisplayContract.Listener listener))
        {
            Debug.WriteLine("display: " + ServiceName + " is already taken or not granted");
            return 1;
        }
        Debug.WriteLine("display: serving " + ServiceName + " (80x25 VGA text at 0xB8000, blank screen)");
        var clients = new EndpointGroup<DisplayContract.Exp>(MaxClients);
        var piece = new byte[Piece];
        while (true)
        {
            int ready = clients.Select(listener.Incoming);
            if (ready == EndpointGroup<DisplayContract.Exp>.ListenerReady)
            {
                ReceiveResult accepted = listener.Accept(out DisplayContract.Exp client, 0);
                if (client != null)
                {
                    if (!clients.Add(client)) Debug.WriteLine("display: too many clients; one refused");
                }
                else if (accepted == ReceiveResult.ChannelClosed) return 0;
                continue;
            }
            if (ready < 0) continue;
            DisplayContract.Exp c = clients.Take(ready);
            DisplayContract.Exp.Tag tag = c.Receive(out DisplayContract.Exp.Message message, 0);
            if (tag == DisplayContract.Exp.Tag.Write)
            {
                message.TakeWrite(out ExBuffer buffer);
                try { Draw(buffer, screen, piece); }
                catch (System.Exception) { Debug.WriteLine("display: a write could not be shown"); }
                buffer.Free();
                try { Update(vga, screen, Keep, 0, 0); }
                catch (System.Exception) { Debug.WriteLine("display: the screen could not be updated"); }
                c.SendCursor(screen.Row, screen.Column);
            }
            else if (tag == DisplayContract.Exp.Tag.Clear)
            {
                message.TakeClear();
                try { Update(vga, screen, ClearScreen, 0, 0); }
                catch (System.Exception) { Debug.WriteLine("display: the screen could not be updated"); }
                c.SendCursor(screen.Row, screen.Column);
            }
            else if (tag == DisplayContract.Exp.Tag.MoveCursor)
            {
                message.TakeMoveCursor(out int row, out int column);
                try { Update(vga, screen, Move, row, column); }
                catch (System.Exception) { Debug.WriteLine("display: the screen could not be updated"); }
                c.SendCursor(screen.Row, screen.Column);
            }
            else
            {
                // The client closed, or broke the contract (then its channel is closed already).
                message.Discard();
                c.Close();
                continue;
            }
            clients.Add(c);
        }
    }

    private const int Keep = 0, ClearScreen = 1, Move = 2;

    // Changes the screen (Keep, ClearScreen, Move to row and column) and shows it. Its callers
    // catch what it throws, so the client's channel is answered whatever happens.
    private static void Update(VgaText vga, TextScreen screen, int change, int row, int column)
    {
        if (change == ClearScreen) screen.Clear();
        else if (change == Move) screen.MoveTo(row, column);
        vga.Show(screen);
    }

    // Shows the text (in pieces: a client's buffer may be larger than this SIP's heap should hold).
    private static void Draw(ExBuffer text, TextScreen screen, byte[] piece)
    {
        int length = text.Length;
        for (int at = 0; at < length; at += piece.Length)
        {
            if (length - at < piece.Length) piece = new byte[length - at];
            text.CopyTo(piece, at);
            for (int i = 0; i < piece.Length; i++) screen.Put(piece[i]);
        }
    }
}

using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

// The console service: owns serial output for SIPs (the serial driver's line when one runs,
// SerialLine.cs, else the kernel log). Clients (Libraries/Console) bind to
// /service/console and speak ConsoleContract: each Write carries text in an exchange buffer,
// which the service writes whole before its Ack, so lines from different SIPs never interleave
// mid-line. Every write also goes to the text display when a display driver runs
// (DisplayOutput.cs). A client that breaks the contract (say, one that wrapped its channel with another
// contract) fails only its own channel; the service goes on serving the others.
public static class Program
{
    private const int MaxClients = 63;

    public static int Main()
    {
        if (!ConsoleContract.Listener.TryRegister(Console.ServiceName, out ConsoleContract.Listener listener))
        {
            Debug.WriteLine("console: " + Console.ServiceName + " is already taken or not granted");
            return 1;
        }
        Debug.WriteLine("console: serving " + Console.ServiceName);
        var display = new DisplayOutput();
        KeyboardInput keyboard = KeyboardInput.Start(display);   // keys from the keyboard driver as lines for the shell, echoed (KeyboardInput.cs)
        SerialLine serial = SerialLine.Start(keyboard);     // the serial line through the 16550 driver, when one runs (SerialLine.cs)
        var clients = new EndpointGroup<ConsoleContract.Exp>(MaxClients);
        while (true)
        {
            int ready = clients.Select(listener.Incoming);
            if (ready == EndpointGroup<ConsoleContract.Exp>.ListenerReady)
            {
                ReceiveResult accepted = listener.Accept(out ConsoleContract.Exp client, 0);
                if (client != null)
                {
                    if (!clients.Add(client)) Debug.WriteLine("console: too many clients; one refused");
                }
                else if (accepted == ReceiveResult.ChannelClosed) return 0;
                continue;
            }
            if (ready < 0) continue;
            ConsoleContract.Exp c = clients.Take(ready);
            c.RecvWrite(out ExBuffer buffer, 0);
            if (buffer.IsNull)
            {
                // The client closed, or broke the contract (then its channel is closed already).
                c.Close();
                continue;
            }
            try { Print(buffer, display, serial); }
            catch (System.Exception) { Debug.WriteLine("console: a write could not be printed"); }
            buffer.Free();
            c.SendAck();
            clients.Add(c);
        }
    }

    // Writes the text to the serial line and the display in pieces of at most 512 bytes (a client's buffer may be large; the
    // service's heap holds only a piece), all before the next client is served.
    private static void Print(ExBuffer text, DisplayOutput display, SerialLine serial)
    {
        int length = text.Length;
        var piece = new byte[length < 512 ? length : 512];
        for (int at = 0; at < length; at += piece.Length)
        {
            if (length - at < piece.Length) piece = new byte[length - at];
            text.CopyTo(piece, at);
            serial.Write(piece);
            display.Write(piece);
        }
    }
}

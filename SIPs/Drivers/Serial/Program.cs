using Singularity;
using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Drivers;
using Singularity.Threading;

// The 16550 serial driver (issue 18, docs/drivers.md "The serial driver"): a legacy driver SIP
// that holds the second serial port, COM2 (ports 0x2F8-0x2FF, IRQ 3), and nothing else, and
// serves SerialContract on /service/serial. The console service writes its output and reads the
// shell's input through it: COM2 is the console's serial line, while COM1 stays the kernel's log,
// debug console and panic writer (docs/drivers.md says why). Runs under the supervisor (a
// `service serial` line in the system manifest); each start, a restart included, resets the UART.
// A machine without COM2 makes it exit (code 3), which the supervisor does not restart.
[assembly: Device("isa/16550")]
[assembly: IoPorts(0x2F8, 8)]
[assembly: Irq(3)]

public static class Program
{
    private const int MaxClients = 15;
    private const int Piece = 512;

    public static int Main()
    {
        IoPortRange ports = IoPortRange.Granted(0);
        InterruptLine irq = InterruptLine.Granted(0);
        if (ports == null || irq == null || ports.Length < 8) { Debug.WriteLine("serial: the UART's ports and IRQ 3 are not granted"); return 1; }
        var uart = new Uart16550(ports);
        if (!uart.Reset()) { Debug.WriteLine("serial: no 16550 answers at 0x2F8 (COM2); not serving"); return 3; }
        if (!SerialContract.Listener.TryRegister(SerialService.ServiceName, out SerialContract.Listener listener))
        {
            Debug.WriteLine("serial: " + SerialService.ServiceName + " is already taken or not granted");
            return 1;
        }
        var subscriber = new Subscriber();
        Thread.Start(() => ServeInterrupts(uart, irq, subscriber));
        Debug.WriteLine("serial: serving " + SerialService.ServiceName + " (COM2 at 0x2F8, irq " + irq.Line.ToString() + ")");
        var clients = new EndpointGroup<SerialContract.Exp>(MaxClients);
        var piece = new byte[Piece];
        while (true)
        {
            int ready = clients.Select(listener.Incoming);
            if (ready == EndpointGroup<SerialContract.Exp>.ListenerReady)
            {
                ReceiveResult accepted = listener.Accept(out SerialContract.Exp client, 0);
                if (client != null)
                {
                    if (!clients.Add(client)) Debug.WriteLine("serial: too many clients; one refused");
                }
                else if (accepted == ReceiveResult.ChannelClosed) return 0;
                continue;
            }
            if (ready < 0) continue;
            SerialContract.Exp c = clients.Take(ready);
            SerialContract.Exp.Tag tag = c.Receive(out SerialContract.Exp.Message message, 0);
            if (tag == SerialContract.Exp.Tag.Write)
            {
                message.TakeWrite(out ExBuffer buffer);
                int written = 0;
                try { written = Transmit(buffer, uart, piece); }
                catch (System.Exception) { Debug.WriteLine("serial: a write could not be sent"); }
                buffer.Free();
                c.SendWritten(written);
                clients.Add(c);
            }
            else if (tag == SerialContract.Exp.Tag.Subscribe)
            {
                message.TakeSubscribe();
                subscriber.Replace(c);      // the channel now only receives
            }
            else
            {
                // The client closed, or broke the contract (then its channel is closed already).
                message.Discard();
                c.Close();
            }
        }
    }

    // Sends the buffer in pieces (a client's buffer may be larger than this SIP's heap should
    // hold); the bytes that went out.
    private static int Transmit(ExBuffer bytes, Uart16550 uart, byte[] piece)
    {
        int length = bytes.Length, sent = 0;
        for (int at = 0; at < length; at += Piece)
        {
            int n = length - at < Piece ? length - at : Piece;
            bytes.CopyTo(at, piece, 0, n);
            int went = uart.Write(piece, 0, n);
            sent += went;
            if (went < n) break;
        }
        return sent;
    }

    // The interrupt thread: on each interrupt, every byte the UART holds to the subscriber, then
    // acknowledge. The wait is bounded so that a byte whose interrupt edge was lost is still
    // read within a moment (the line is edge-triggered at the PIC).
    private static void ServeInterrupts(Uart16550 uart, InterruptLine irq, Subscriber subscriber)
    {
        var bytes = new byte[64];
        while (true)
        {
            bool interrupted = irq.Wait(250);
            int n = 0;
            while (n < bytes.Length && uart.HasByte) bytes[n++] = uart.ReadByte();
            subscriber.Send(bytes, n);
            if (interrupted) irq.Acknowledge();
        }
    }
}

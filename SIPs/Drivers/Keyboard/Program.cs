using Singularity;
using Singularity.Contracts;
using Singularity.Drivers;
using Singularity.Threading;

// The PS/2 keyboard driver (docs/drivers.md, the worked example): holds the i8042's data and
// status ports and IRQ 1, nothing else; turns scancode set 1 into key presses and sends them to
// the subscriber of /service/keyboard (KeyboardContract). Runs under the supervisor (a `service
// keyboard` line in the system manifest); each start, a restart included, resets the controller.
[assembly: Device("isa/i8042")]
[assembly: IoPorts(0x60, 1)]
[assembly: IoPorts(0x64, 1)]
[assembly: Irq(1)]

public static class Program
{
    public static int Main()
    {
        IoPortRange data = IoPortRange.Granted(0), status = IoPortRange.Granted(1);
        InterruptLine irq = InterruptLine.Granted(0);
        if (data == null || status == null || irq == null) { Debug.WriteLine("keyboard: the i8042's ports and IRQ 1 are not granted"); return 1; }
        var controller = new I8042(data, status);
        if (!controller.Reset()) { Debug.WriteLine("keyboard: the i8042 does not answer"); return 1; }
        if (!KeyboardContract.Listener.TryRegister(KeyCodes.ServiceName, out KeyboardContract.Listener listener))
        {
            Debug.WriteLine("keyboard: " + KeyCodes.ServiceName + " is already taken or not granted");
            return 1;
        }
        var subscriber = new Subscriber();
        Thread.Start(() => ServeInterrupts(controller, irq, subscriber));
        Debug.WriteLine("keyboard: serving " + KeyCodes.ServiceName + " (irq " + irq.Line.ToString() + ")");
        while (true)
        {
            Singularity.Channels.ReceiveResult accepted = listener.Accept(out KeyboardContract.Exp client);
            if (client != null) subscriber.Replace(client);
            else if (accepted == Singularity.Channels.ReceiveResult.ChannelClosed) return 0;
        }
    }

    // The interrupt thread: on each interrupt, every byte the controller holds, then acknowledge.
    private static void ServeInterrupts(I8042 controller, InterruptLine irq, Subscriber subscriber)
    {
        var decoder = new ScancodeSet1();
        while (true)
        {
            if (!irq.Wait(-1)) continue;
            for (int i = 0; i < 16 && controller.HasByte; i++)
            {
                int key = decoder.Take(controller.ReadByte());
                if (key != 0) subscriber.Send(key, decoder.Modifiers);
            }
            irq.Acknowledge();
        }
    }
}

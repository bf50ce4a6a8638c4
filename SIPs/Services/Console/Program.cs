using Singularity;
using Singularity.Ipc;

// The console service: owns serial output for SIPs. Clients (Singularity.Console) bind to
// /service/console and send Write messages carrying their text in an exchange block; the
// service writes each message whole, so lines from different SIPs never interleave mid-line.
public static class Program
{
    public static int Main()
    {
        RawEndpoint.CreateChannel(out RawEndpoint listenerImp, out RawEndpoint listener);
        if (!Names.Register(Singularity.Console.ServiceName, listenerImp))
        {
            Debug.WriteLine("console: " + Singularity.Console.ServiceName + " is already taken");
            return 1;
        }
        Debug.WriteLine("console: serving " + Singularity.Console.ServiceName);
        var clients = new RawEndpoint[64];
        clients[0] = listener;
        int count = 1;
        RawEndpoint[] set = null;
        byte[] text = new byte[0];
        while (true)
        {
            if (set == null)
            {
                set = new RawEndpoint[count];
                for (int i = 0; i < count; i++) set[i] = clients[i];
            }
            int ready = RawEndpoint.Select(set);
            RawEndpoint ep = set[ready];
            RecvStatus st = ep.Receive(out RawMessage m, 0);
            if (st == RecvStatus.Closed)
            {
                ep.Close();
                clients[ready] = clients[--count];
                set = null;
                continue;
            }
            if (st != RecvStatus.Ok) continue;
            if (m.Tag == Names.ConnectTag)
            {
                if (count < clients.Length) { clients[count++] = m.GetEndpoint(0); set = null; }
                else m.GetEndpoint(0).Close();
                continue;
            }
            if (m.Tag != Singularity.Console.WriteTag || m.HandleCount != 1) continue;
            ExBlock block = m.GetBlock(0);
            int length = block.Length;
            if (text.Length != length) text = new byte[length];
            block.CopyTo(text, 0);
            block.Free();
            Debug.Write(string.FromAscii(text));
        }
    }
}

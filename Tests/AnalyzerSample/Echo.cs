using Singularity.Channels;

namespace Demo
{
    /// <summary>An echo server and client written the way SIP code must be: every tracked value has one owner.</summary>
    public static class Echo
    {
        public static void Serve([Claims][State("Start")] EchoContract.Exp ep)
        {
            while (true)
            {
                switch (ep.Receive(out var m))
                {
                    case EchoContract.Exp.Tag.Ping:
                        m.TakePing(out int seq, out var payload);
                        if (payload.Length == 0)
                        {
                            payload.Free();
                            ep.SendBusy();
                        }
                        else
                        {
                            ep.SendPong(seq, payload);
                        }
                        break;
                    case EchoContract.Exp.Tag.ChannelClosed:
                        ep.Close();
                        return;
                }
            }
        }

        public static long Ask([State("Start")] EchoContract.Imp imp, int seq)
        {
            var request = ExBuffer.Allocate(64);
            request.WriteInt64(0, seq);
            imp.SendPing(seq, request);
            switch (imp.Receive(out var m))
            {
                case EchoContract.Imp.Tag.Pong:
                    m.TakePong(out int back, out var reply);
                    long value = reply.ReadInt64(0);
                    reply.Free();
                    return value;
                case EchoContract.Imp.Tag.Busy:
                    m.TakeBusy();
                    return -1;
                case EchoContract.Imp.Tag.ChannelClosed:
                    return -2;
            }
            return -3;
        }
    }
}

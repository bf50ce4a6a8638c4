using Singularity.Channels;
using Singularity.Contracts;

// The one client that receives what arrives on the line: the newest to subscribe (the console
// service, or a restarted one). Shared by the serving thread and the interrupt thread. Bytes that
// arrive while nobody subscribes (between the driver's start and the console's subscription, or
// typed ahead) wait here, up to Typeahead of them (the oldest are dropped beyond), and go to the
// next subscriber first.
public sealed class Subscriber
{
    private const int Typeahead = 256;

    private readonly object _gate = new object();
    private TRef<SerialContract.Exp> _client;     // null while nobody subscribes
    private readonly byte[] _pending = new byte[Typeahead];
    private int _pendingCount;

    /// <summary>The new client receives every byte from now (what waited first); the previous one's channel is closed.</summary>
    public void Replace([Claims] SerialContract.Exp client)
    {
        var incoming = new TRef<SerialContract.Exp>(client);
        TRef<SerialContract.Exp> previous;
        lock (_gate)
        {
            previous = _client;
            _client = incoming;
            if (_pendingCount > 0)
            {
                Deliver(_pending, _pendingCount);
                _pendingCount = 0;
            }
        }
        if (previous != null) previous.Acquire().Close();
    }

    /// <summary>Sends the first <paramref name="count"/> bytes to the client, or keeps them for the next one while there is none.</summary>
    public void Send(byte[] bytes, int count)
    {
        if (count <= 0) return;
        lock (_gate)
        {
            if (_client != null) { Deliver(bytes, count); return; }
            for (int i = 0; i < count; i++)
            {
                if (_pendingCount == Typeahead)
                {
                    for (int j = 1; j < Typeahead; j++) _pending[j - 1] = _pending[j];
                    _pendingCount--;
                }
                _pending[_pendingCount++] = bytes[i];
            }
        }
    }

    // Under _gate, with a client.
    private void Deliver(byte[] bytes, int count)
    {
        ExBuffer buffer = ExBuffer.Allocate(count);
        buffer.CopyFrom(bytes, 0, 0, count);
        SerialContract.Exp c = _client.Acquire();
        c.SendReceived(buffer);
        _client.Release(c);
    }
}

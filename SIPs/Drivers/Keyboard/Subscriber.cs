using Singularity.Channels;
using Singularity.Contracts;

// The one client that receives the keys: the newest to bind /service/keyboard (the console
// service, or a restarted one). Shared by the accepting thread and the interrupt thread.
public sealed class Subscriber
{
    private readonly object _gate = new object();
    private TRef<KeyboardContract.Exp> _client;     // null while nobody subscribes

    /// <summary>The new client receives every key from now; the previous one's channel is closed.</summary>
    public void Replace([Claims] KeyboardContract.Exp client)
    {
        var incoming = new TRef<KeyboardContract.Exp>(client);
        TRef<KeyboardContract.Exp> previous;
        lock (_gate)
        {
            previous = _client;
            _client = incoming;
        }
        if (previous != null) previous.Acquire().Close();
    }

    /// <summary>Sends a key to the client, if there is one (a closed client's key is dropped).</summary>
    public void Send(int key, int modifiers)
    {
        lock (_gate)
        {
            if (_client == null) return;
            KeyboardContract.Exp c = _client.Acquire();
            c.SendKey(key, modifiers);
            _client.Release(c);
        }
    }
}

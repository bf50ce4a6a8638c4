using System.Net.Sockets;
using System.Text;

namespace Singularity.Testing;

/// <summary>
/// The machine's second serial port (COM2: 0x2F8, IRQ 3), which the 16550 driver SIP drives as the
/// console's serial line (docs/drivers.md "The serial driver"), on a Unix socket QEMU serves. Give
/// <see cref="Arguments"/> to <see cref="BootOptions.QemuArguments"/>; from a script step
/// (<see cref="ScriptStep.OnMonitor(string, Func{QemuMonitor, string, string})"/>) type on the line
/// and wait for what comes back. The first use connects; what the machine wrote to COM2 before
/// that is gone (QEMU drops it while no client is connected). Everything read is kept in
/// <see cref="Transcript"/>.
/// </summary>
public sealed class SecondSerial : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"sing-com2-{Guid.NewGuid():N}.sock");
    private readonly StringBuilder _received = new();
    private Socket? _socket;
    private Task? _reader;

    /// <summary>QEMU's arguments for the port: a second -serial after the harness's COM1.</summary>
    public IReadOnlyList<string> Arguments => new[] { "-serial", $"unix:{_path},server=on,wait=off" };

    /// <summary>Everything read from the line so far (CR LF as LF).</summary>
    public string Transcript { get { lock (_received) return _received.ToString().Replace("\r\n", "\n"); } }

    /// <summary>Types <paramref name="text"/> on the line (connecting first if needed).</summary>
    public void Type(string text)
    {
        Connect();
        _socket!.Send(Encoding.ASCII.GetBytes(text));
    }

    /// <summary>
    /// Waits until the transcript holds <paramref name="text"/> <paramref name="count"/> times
    /// (connecting first if needed), at most <paramref name="timeout"/>; whether it did.
    /// </summary>
    public bool WaitFor(string text, TimeSpan timeout, int count = 1)
    {
        Connect();
        var until = DateTime.UtcNow + timeout;
        lock (_received)
        {
            while (true)
            {
                if (Occurrences(_received.ToString().Replace("\r\n", "\n"), text) >= count) return true;
                var left = until - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _reader!.IsCompleted) return false;
                Monitor.Wait(_received, left);
            }
        }
    }

    private static int Occurrences(string s, string text)
    {
        int n = 0;
        for (int at = s.IndexOf(text, StringComparison.Ordinal); at >= 0; at = s.IndexOf(text, at + text.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    private void Connect()
    {
        if (_socket != null) return;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(_path));
                _socket = socket;
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                socket.Dispose();
                Thread.Sleep(100);      // QEMU has not made the socket yet
            }
        }
        _reader = Task.Run(() =>
        {
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = _socket.Receive(buffer)) > 0)
                    lock (_received) { _received.Append(Encoding.ASCII.GetString(buffer, 0, n)); Monitor.PulseAll(_received); }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            lock (_received) Monitor.PulseAll(_received);
        });
    }

    public void Dispose()
    {
        _socket?.Dispose();
        _reader?.Wait(TimeSpan.FromSeconds(5));
        File.Delete(_path);
    }
}

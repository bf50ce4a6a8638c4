using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Singularity.Testing;

/// <summary>
/// QEMU's machine protocol (QMP, JSON lines over a Unix socket) for a booted machine: runs human
/// monitor commands (`sendkey a`, `xp /80xh 0xb8000`, `screendump F`) and returns their text.
/// QMP rather than the human monitor's own socket because its answers are framed: no prompt,
/// echo or terminal escapes to strip.
/// </summary>
public sealed class QemuMonitor : IDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;

    private QemuMonitor(Socket socket)
    {
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(stream, new UTF8Encoding(false));
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
    }

    /// <summary>A fresh socket path for one QEMU (short: Unix socket paths are limited to 107 bytes).</summary>
    public static string NewSocketPath() => Path.Combine(Path.GetTempPath(), $"sing-qmp-{Guid.NewGuid():N}.sock");

    /// <summary>
    /// Connects to the QMP socket QEMU serves at <paramref name="path"/> (it may not exist yet
    /// while QEMU starts), reads the greeting and leaves capability negotiation.
    /// </summary>
    public static QemuMonitor Connect(string path, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(path));
                socket.ReceiveTimeout = (int)Math.Max(1000, timeout.TotalMilliseconds);
                var monitor = new QemuMonitor(socket);
                monitor.ReadAnswer(); // the greeting: {"QMP": {...}}
                monitor.Execute("qmp_capabilities", null);
                return monitor;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                socket.Dispose();
                Thread.Sleep(50);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>Runs one human-monitor command and returns what it printed ("" for most commands).</summary>
    public string Command(string commandLine)
    {
        var answer = Execute("human-monitor-command", new JsonObject { ["command-line"] = commandLine });
        return answer?.GetValue<string>() ?? "";
    }

    private JsonNode? Execute(string command, JsonObject? arguments)
    {
        var request = new JsonObject { ["execute"] = command };
        if (arguments != null) request["arguments"] = arguments;
        _writer.WriteLine(request.ToJsonString());
        var answer = ReadAnswer();
        if (answer["error"] is JsonNode error)
            throw new InvalidOperationException($"QEMU refused '{command}': {error["desc"]?.GetValue<string>() ?? error.ToJsonString()}");
        return answer["return"];
    }

    /// <summary>The next line that is not an asynchronous event (QEMU sends those unasked).</summary>
    private JsonObject ReadAnswer()
    {
        while (true)
        {
            string line = _reader.ReadLine() ?? throw new IOException("QEMU closed its monitor socket");
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (JsonNode.Parse(line) is not JsonObject node)
                throw new IOException("QEMU's monitor sent something that is not a JSON object: " + line);
            if (node.ContainsKey("event")) continue;
            return node;
        }
    }

    /// <summary>
    /// The words of an `xp /Nxh ADDR` answer ("00000000000b8000: 0x0748 0x0769 ..."), in
    /// address order: for VGA text memory, each is a character (low byte) and its colour.
    /// </summary>
    public static IReadOnlyList<ushort> ParseHalfwords(string xpOutput)
    {
        var words = new List<ushort>();
        foreach (string line in xpOutput.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            foreach (string w in line[(colon + 1)..].Split(new[] { ' ', '\r', '\t' }, StringSplitOptions.RemoveEmptyEntries))
                words.Add(Convert.ToUInt16(w, 16));
        }
        return words;
    }

    /// <summary>The 80x25 VGA text screen at 0xB8000 as 25 lines (trailing blanks trimmed), read through the monitor.</summary>
    public string[] ReadVgaText()
    {
        const int columns = 80, rows = 25;
        var cells = new List<ushort>(columns * rows);
        // One xp per row keeps each answer small.
        for (int row = 0; row < rows; row++)
            cells.AddRange(ParseHalfwords(Command($"xp /{columns}xh 0x{0xB8000 + row * columns * 2:x}")));
        if (cells.Count != columns * rows)
            throw new IOException($"VGA text memory read back {cells.Count} cells, expected {columns * rows}");
        var lines = new string[rows];
        for (int row = 0; row < rows; row++)
        {
            var sb = new StringBuilder(columns);
            for (int col = 0; col < columns; col++)
            {
                int c = cells[row * columns + col] & 0xFF;
                sb.Append(c is >= 0x20 and < 0x7F ? (char)c : ' ');
            }
            lines[row] = sb.ToString().TrimEnd();
        }
        return lines;
    }

    public void Dispose()
    {
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { }
        _reader.Dispose();
        _writer.Dispose();
        _socket.Dispose();
    }
}

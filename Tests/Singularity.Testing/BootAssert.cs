using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace Singularity.Testing;

/// <summary>
/// Assertions on a boot. A failing assertion keeps the serial log in artifacts/test-logs/
/// and quotes its tail in the failure message.
/// </summary>
public sealed class BootAssert
{
    private readonly BootResult _result;
    private readonly string _name;

    private BootAssert(BootResult result, string name) { _result = result; _name = name; }

    public BootResult Result => _result;
    public string Serial => _result.Serial;

    public static BootAssert Boot(BootOptions options, [CallerMemberName] string name = "")
        => new(QemuRunner.Boot(options), name);

    public static BootAssert Boot(string commandLine, [CallerMemberName] string name = "")
        => Boot(new BootOptions { CommandLine = commandLine }, name);

    public BootAssert Exited(QemuExit expected)
    {
        if (_result.Exit != expected)
            Fail($"expected the run to end with {expected}, but it ended with {_result.Exit} (status {_result.Status?.ToString() ?? "none"})");
        return this;
    }

    public BootAssert Contains(string text)
    {
        if (!_result.Serial.Contains(text)) Fail($"the serial log does not contain \"{text}\"");
        return this;
    }

    public BootAssert DoesNotContain(string text)
    {
        if (_result.Serial.Contains(text)) Fail($"the serial log contains \"{text}\"");
        return this;
    }

    /// <summary>The first match of a pattern; fails if there is none.</summary>
    public Match Match(string pattern)
    {
        var m = Regex.Match(_result.Serial, pattern, RegexOptions.Multiline);
        if (!m.Success) Fail($"the serial log has no match for /{pattern}/");
        return m;
    }

    /// <summary>Text order matters for logs: <paramref name="first"/> must appear before <paramref name="second"/>.</summary>
    public BootAssert InOrder(string first, string second)
    {
        int a = _result.Serial.IndexOf(first, StringComparison.Ordinal);
        int b = a < 0 ? -1 : _result.Serial.IndexOf(second, a + first.Length, StringComparison.Ordinal);
        if (a < 0 || b < 0) Fail($"expected \"{first}\" followed by \"{second}\"");
        return this;
    }

    /// <summary>An assertion on values taken from the log; a failure keeps the log like the others.</summary>
    public BootAssert Check(bool condition, string message)
    {
        if (!condition) Fail(message);
        return this;
    }

    public void Fail(string message)
    {
        Directory.CreateDirectory(QemuRunner.LogDirectory);
        string path = Path.Combine(QemuRunner.LogDirectory, _name + ".log");
        File.WriteAllText(path, _result.Serial + (_result.QemuStderr.Length > 0 ? "\n--- qemu stderr ---\n" + _result.QemuStderr : ""));
        string tail = _result.Serial.Length > 2000 ? "..." + _result.Serial[^2000..] : _result.Serial;
        throw new XunitException($"{message}\nserial log kept at {path}\n--- serial (tail) ---\n{tail}");
    }
}

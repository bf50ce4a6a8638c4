using System.Text.Json;
using System.Text.Json.Serialization;
using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>An endpoint a SIP imports or exports.</summary>
public sealed record ManifestEndpoint(
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("contract")] string Contract,
    [property: JsonPropertyName("path")] string Path);

public sealed record ManifestRange(
    [property: JsonPropertyName("base")] long Base,
    [property: JsonPropertyName("length")] long Length);

/// <summary>
/// What a SIP declares it needs, from its assembly attributes (Kernel/SipRuntime/Api/Manifest.cs,
/// matched by name): written next to the SIP image as NAME.manifest.json for the image builder and
/// the kernel, which grants exactly what it names.
/// </summary>
public sealed class Manifest
{
    [JsonPropertyName("name")] public string Name { get; set; }
    [JsonPropertyName("assembly")] public string Assembly { get; set; }
    [JsonPropertyName("heapQuotaMiB")] public int? HeapQuotaMiB { get; set; }
    [JsonPropertyName("imports")] public List<ManifestEndpoint> Imports { get; } = new();
    [JsonPropertyName("exports")] public List<ManifestEndpoint> Exports { get; } = new();
    [JsonPropertyName("device")] public string Device { get; set; }
    [JsonPropertyName("ioPorts")] public List<ManifestRange> IoPorts { get; } = new();
    [JsonPropertyName("ioMemory")] public List<ManifestRange> IoMemory { get; } = new();
    [JsonPropertyName("irqs")] public List<int> Irqs { get; } = new();

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    internal static Manifest Extract(AssemblyVerifier av, ModuleDefinition module, string defaultName = null)
    {
        var m = new Manifest { Assembly = module.Assembly.Name.Name, Name = defaultName ?? module.Assembly.Name.Name.ToLowerInvariant() };
        string where = module.Assembly.Name.Name;
        foreach (var a in module.Assembly.CustomAttributes)
        {
            var args = a.ConstructorArguments;
            switch (a.AttributeType.Name)
            {
                case "SipManifestAttribute":
                    if (args.Count < 1 || args[0].Value is not string name || !ValidName(name)) { av.Report(Codes.BadManifest, where, "[SipManifest] needs a name of letters, digits, '-', '_' or '.'"); break; }
                    m.Name = name;
                    if (args.Count > 1 && args[1].Value is int q) m.HeapQuotaMiB = q;
                    foreach (var p in a.Properties) if (p.Name == "HeapQuotaMiB" && p.Argument.Value is int q2) m.HeapQuotaMiB = q2;
                    if (m.HeapQuotaMiB is <= 0 or > 4096) { av.Report(Codes.BadManifest, where, $"[SipManifest] heap quota {m.HeapQuotaMiB} MiB is out of range (1..4096)"); m.HeapQuotaMiB = null; }
                    break;
                case "ImportsAttribute":
                case "ExportsAttribute":
                {
                    bool imp = a.AttributeType.Name == "ImportsAttribute";
                    if (args.Count < 2 || args[0].Value is not TypeReference t || args[1].Value is not string path || !path.StartsWith('/'))
                    { av.Report(Codes.BadManifest, where, $"[{(imp ? "Imports" : "Exports")}] needs (typeof(Contract.{(imp ? "Imp" : "Exp")}), \"/path\")"); break; }
                    if (!av.Tracking.IsEndpoint(t)) { av.Report(Codes.ManifestEndpoint, where, $"[{(imp ? "Imports" : "Exports")}] names {t.FullName}, which is not an endpoint type (a generated Imp or Exp)"); break; }
                    var e = new ManifestEndpoint(AssemblyVerifier.TypeName(t), t.DeclaringType != null ? AssemblyVerifier.TypeName(t.DeclaringType) : AssemblyVerifier.TypeName(t), path);
                    (imp ? m.Imports : m.Exports).Add(e);
                    break;
                }
                case "DeviceAttribute":
                    if (args.Count == 1 && args[0].Value is string sig && sig.Length > 0) m.Device = sig;
                    else if (args.Count == 2 && ToLong(args[0].Value) is long v && ToLong(args[1].Value) is long d && v is >= 0 and <= 0xFFFF && d is >= 0 and <= 0xFFFF)
                        m.Device = $"pci/ven_{v:x4}&dev_{d:x4}";
                    else av.Report(Codes.BadManifest, where, "[Device] needs a signature string or (vendor, device) 16-bit ids");
                    break;
                case "IoPortsAttribute":
                    if (args.Count == 2 && ToLong(args[0].Value) is long pb && ToLong(args[1].Value) is long pl && pb >= 0 && pl > 0 && pb + pl <= 0x10000) m.IoPorts.Add(new ManifestRange(pb, pl));
                    else av.Report(Codes.BadManifest, where, "[IoPorts] needs (base, length) within 0..0xFFFF");
                    break;
                case "IoMemoryAttribute":
                    if (args.Count == 2 && ToLong(args[0].Value) is long mb && ToLong(args[1].Value) is long ml && mb >= 0 && ml > 0) m.IoMemory.Add(new ManifestRange(mb, ml));
                    else av.Report(Codes.BadManifest, where, "[IoMemory] needs (base, length) with a positive length");
                    break;
                case "IrqAttribute":
                    if (args.Count == 1 && ToLong(args[0].Value) is long irq && irq is >= 0 and < 256) m.Irqs.Add((int)irq);
                    else av.Report(Codes.BadManifest, where, "[Irq] needs a line 0..255");
                    break;
            }
        }
        if ((m.IoPorts.Count > 0 || m.IoMemory.Count > 0 || m.Irqs.Count > 0) && m.Device == null)
            av.Report(Codes.BadManifest, where, "I/O resources are requested without a [Device]: only drivers get I/O resources");
        return m;
    }

    private static bool ValidName(string s) => s.Length is > 0 and <= 64 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static long? ToLong(object o) => o switch
    {
        int i => i, uint u => u, long l => l, ulong ul when ul <= long.MaxValue => (long)ul, short s => s, ushort us => us, byte b => b, sbyte sb => sb,
        _ => null,
    };
}

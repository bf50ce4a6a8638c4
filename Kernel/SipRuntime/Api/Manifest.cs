using System;

// The SIP manifest: what a SIP declares it needs. The verifier (Verifier/) reads these assembly
// attributes by name and writes NAME.manifest.json next to the SIP image; the kernel grants exactly
// what the manifest names. Plain attributes: they carry data only and have no behaviour.
// Hosted tests (Tests/Singularity.Hosted) compile this file too, with their own ManifestUsage.cs.
namespace Singularity
{
    /// <summary>The SIP's name and heap quota: <c>[assembly: SipManifest("echo", HeapQuotaMiB = 4)]</c>.</summary>
    /// <safety>A manifest attribute: data the verifier extracts into the manifest, which the kernel checks when it loads the SIP; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = ManifestUsage.SeveralSipsPerAssembly)]
    public sealed class SipManifestAttribute : Attribute
    {
        public SipManifestAttribute(string name) { Name = name; }
        public SipManifestAttribute(string name, int heapQuotaMiB) { Name = name; HeapQuotaMiB = heapQuotaMiB; }
        public string Name { get; }
        public int HeapQuotaMiB { get; set; }
    }

    /// <summary>An endpoint the SIP imports (the client side, an Imp) bound at <c>path</c>: <c>[assembly: Imports(typeof(Echo.Imp), "/service/echo")]</c>.</summary>
    /// <safety>A manifest attribute: data the verifier extracts into the manifest, which the kernel checks when it loads the SIP; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class ImportsAttribute : Attribute
    {
        public ImportsAttribute(Type endpoint, string path) { Endpoint = endpoint; Path = path; }
        public Type Endpoint { get; }
        public string Path { get; }
    }

    /// <summary>An endpoint the SIP exports (the server side, an Exp) registered at <c>path</c>.</summary>
    /// <safety>A manifest attribute: data the verifier extracts into the manifest, which the kernel checks when it loads the SIP; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class ExportsAttribute : Attribute
    {
        public ExportsAttribute(Type endpoint, string path) { Endpoint = endpoint; Path = path; }
        public Type Endpoint { get; }
        public string Path { get; }
    }

    /// <summary>A driver's device: <c>[assembly: Device(0x8086, 0x100e)]</c> or <c>[assembly: Device("pci/ven_8086&amp;dev_100e")]</c>.</summary>
    /// <safety>A manifest attribute: data the verifier extracts into the manifest, which the kernel checks when it loads the SIP; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = ManifestUsage.SeveralSipsPerAssembly)]
    public sealed class DeviceAttribute : Attribute
    {
        public DeviceAttribute(string signature) { Signature = signature; }
        public DeviceAttribute(int vendor, int device) { Vendor = vendor; Device = device; }
        public string Signature { get; }
        public int Vendor { get; }
        public int Device { get; }
    }

    /// <summary>An I/O port range a driver needs.</summary>
    /// <safety>A manifest attribute: data the verifier extracts into the manifest, which the kernel checks when it loads the SIP; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class IoPortsAttribute : Attribute
    {
        public IoPortsAttribute(int basePort, int length) { Base = basePort; Length = length; }
        public int Base { get; }
        public int Length { get; }
    }

    /// <summary>A memory-mapped I/O range a driver needs.</summary>
    /// <safety>A manifest attribute: data the verifier extracts into the manifest, which the kernel checks when it loads the SIP; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class IoMemoryAttribute : Attribute
    {
        public IoMemoryAttribute(long baseAddress, long length) { Base = baseAddress; Length = length; }
        public long Base { get; }
        public long Length { get; }
    }

    /// <summary>An interrupt line a driver needs.</summary>
    /// <safety>A manifest attribute: data the verifier extracts into the manifest, which the kernel checks when it loads the SIP; no runtime code reads it.</safety>
    /// <allmembers>Stores or returns a plain value of the attribute object itself.</allmembers>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class IrqAttribute : Attribute
    {
        public IrqAttribute(int line) { Line = line; }
        public int Line { get; }
    }
}

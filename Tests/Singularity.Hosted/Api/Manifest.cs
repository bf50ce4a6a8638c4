using System;

// The manifest attributes of Kernel/SipRuntime/Api/Manifest.cs on .NET. Here SipManifest may
// appear more than once in an assembly: a test project compiles several SIPs' sources together
// (HostedSip.Start finds the one naming the SIP it starts). The kernel-side rules (one manifest
// per SIP) are checked by each SIP's own build.
namespace Singularity
{
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class SipManifestAttribute : Attribute
    {
        public SipManifestAttribute(string name) { Name = name; }
        public SipManifestAttribute(string name, int heapQuotaMiB) { Name = name; HeapQuotaMiB = heapQuotaMiB; }
        public string Name { get; }
        public int HeapQuotaMiB { get; set; }
    }

    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class ImportsAttribute : Attribute
    {
        public ImportsAttribute(Type endpoint, string path) { Endpoint = endpoint; Path = path; }
        public Type Endpoint { get; }
        public string Path { get; }
    }

    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class ExportsAttribute : Attribute
    {
        public ExportsAttribute(Type endpoint, string path) { Endpoint = endpoint; Path = path; }
        public Type Endpoint { get; }
        public string Path { get; }
    }

    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class DeviceAttribute : Attribute
    {
        public DeviceAttribute(string signature) { Signature = signature; }
        public DeviceAttribute(int vendor, int device) { Vendor = vendor; Device = device; }
        public string Signature { get; }
        public int Vendor { get; }
        public int Device { get; }
    }

    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class IoPortsAttribute : Attribute
    {
        public IoPortsAttribute(int basePort, int length) { Base = basePort; Length = length; }
        public int Base { get; }
        public int Length { get; }
    }

    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class IoMemoryAttribute : Attribute
    {
        public IoMemoryAttribute(long baseAddress, long length) { Base = baseAddress; Length = length; }
        public long Base { get; }
        public long Length { get; }
    }

    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class IrqAttribute : Attribute
    {
        public IrqAttribute(int line) { Line = line; }
        public int Line { get; }
    }

    /// <summary>Marks a SIP library; hosted, it has no effect (the verifier reads it in the SIP's own build).</summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class SipLibraryAttribute : Attribute
    {
    }
}

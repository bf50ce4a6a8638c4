using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Tests.Kernel.Layers;

/// <summary>
/// The kernel's layers and the rule that a layer calls only downward (docs/architecture.md
/// "The kernel's layers" states the same order). A type's layer is its namespace
/// `Singularity.Kernel.LAYER` (or `.LAYER.SUB` for a subfolder), which is its folder under Kernel/Kernel/.
/// </summary>
public static class KernelLayers
{
    /// <summary>The layer order, lowest first. A new folder must be placed here deliberately.</summary>
    public static readonly string[] Order =
    {
        "Arch",         // the CPU and the bare machine: GDT, IDT, PIC, PIT, UART, clock, multiboot info, ABI entry stubs
        "Diagnostics",  // the kernel log, panic, symbols, stack-built text: every layer above may log and panic
        "Memory",       // physical frames, paging, the kernel heap and the managed allocator on it
        "Threading",    // threads, the scheduler, CPU shares, wait queues, events, mutexes
        "Processes",    // the SIP record: handle table, accounts and quotas, grants, the SIP table, the exit log
        "Ipc",          // channels, endpoints, the exchange heap, the name service
        "Loader",       // loading and starting SIPs: ELF images, manifests, startup endpoints, boot modules, the system manifest
        "Runtime",      // what ilc's code needs beyond allocation: exceptions, monitors, faults in managed code (kernel and SIP)
        "IO",           // devices SIPs use through the kernel: serial input, PCI (IO/Pci), drivers' grants (IO/Drivers)
        "Syscalls",     // the ABI entry points, one file per system-call area
        "Console",      // the kernel debug console
        "Boot",         // kmain and the boot sequence, the command line, hooks for modules linked above the kernel
    };

    public const string Prefix = "Singularity.Kernel.";

    /// <summary>Namespaces compiled into the kernel that sit below every layer (Kernel/Abi, shared with the runtime).</summary>
    public static readonly string[] Foundation = { "Singularity.Abi" };

    /// <summary>The layer index of a type of the kernel assembly; -1 for the foundation; null when it has no known layer.</summary>
    public static int? LayerOf(TypeReference type, out string? layer)
    {
        while (type.DeclaringType != null) type = type.DeclaringType;
        string ns = type.Namespace;
        layer = null;
        if (Foundation.Contains(ns)) return -1;
        if (ns.Length == 0 && (type.Name == "<Module>" || type.Name.StartsWith("<PrivateImplementationDetails>", StringComparison.Ordinal))) return -1;
        // Attributes the C# compiler emits into the assembly (EmbeddedAttribute, RefSafetyRulesAttribute).
        if (type is TypeDefinition d && d.CustomAttributes.Any(a => a.AttributeType.FullName == "Microsoft.CodeAnalysis.EmbeddedAttribute")) return -1;
        if (!ns.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        layer = ns[Prefix.Length..];
        // A layer's subfolders (IO/Pci, IO/Drivers) are part of it: Singularity.Kernel.IO.Pci is IO.
        int dot = layer.IndexOf('.');
        if (dot >= 0) layer = layer[..dot];
        int i = Array.IndexOf(Order, layer);
        return i < 0 ? null : i;
    }

    /// <summary>One reference from a lower layer to a higher one.</summary>
    public sealed record Violation(string FromLayer, string ToLayer, string From, string To, string Kind)
    {
        /// <summary>The pair of types, the unit of the known-violations list.</summary>
        public string Edge => Short(From) + " -> " + Short(To);
        private static string Short(string name) => name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name;
        public override string ToString() => $"{FromLayer} -> {ToLayer}: {From} uses {To} ({Kind})";
    }

    /// <summary>The kernel's types with no known layer (a namespace outside <see cref="Order"/>).</summary>
    public static List<string> Unplaced(ModuleDefinition module) =>
        module.GetTypes().Where(t => LayerOf(t, out _) == null).Select(t => t.FullName).ToList();

    /// <summary>Every upward reference in the module: member, type, field type, base type, interface, attribute, signature, local.</summary>
    public static List<Violation> Check(ModuleDefinition module)
    {
        var found = new List<Violation>();
        foreach (TypeDefinition type in module.GetTypes())
        {
            int? from = LayerOf(type, out string? fromLayer);
            if (from == null || from < 0) continue;
            void Use(TypeReference? r, string kind)
            {
                foreach (TypeReference t in Expand(r))
                {
                    if (t.Scope is not ModuleDefinition && t.Module != module) continue;
                    if (t.Scope is AssemblyNameReference) continue;   // another assembly (the core library)
                    int? to = LayerOf(t, out string? toLayer);
                    if (to != null && to > from)
                        found.Add(new Violation(fromLayer!, toLayer!, Outer(type).FullName, Outer(t).FullName, kind));
                }
            }
            Use(type.BaseType, "base type");
            foreach (var i in type.Interfaces) Use(i.InterfaceType, "interface");
            foreach (var a in type.CustomAttributes) Use(a.AttributeType, "attribute");
            foreach (FieldDefinition f in type.Fields)
            {
                Use(f.FieldType, "field " + f.Name);
                foreach (var a in f.CustomAttributes) Use(a.AttributeType, "attribute");
            }
            foreach (PropertyDefinition p in type.Properties) Use(p.PropertyType, "property " + p.Name);
            foreach (MethodDefinition m in type.Methods)
            {
                string where = "in " + m.Name;
                Use(m.ReturnType, "return type " + where);
                foreach (var p in m.Parameters) Use(p.ParameterType, "parameter " + where);
                foreach (var a in m.CustomAttributes) Use(a.AttributeType, "attribute " + where);
                if (!m.HasBody) continue;
                foreach (var v in m.Body.Variables) Use(v.VariableType, "local " + where);
                foreach (Instruction ins in m.Body.Instructions)
                {
                    switch (ins.Operand)
                    {
                        case MethodReference mr:
                            Use(mr.DeclaringType, "call " + mr.Name + " " + where);
                            Use(mr.ReturnType, "call " + mr.Name + " " + where);
                            foreach (var p in mr.Parameters) Use(p.ParameterType, "call " + mr.Name + " " + where);
                            if (mr is GenericInstanceMethod gm) foreach (var g in gm.GenericArguments) Use(g, "call " + mr.Name + " " + where);
                            break;
                        case FieldReference fr:
                            Use(fr.DeclaringType, "field " + fr.Name + " " + where);
                            Use(fr.FieldType, "field " + fr.Name + " " + where);
                            break;
                        case TypeReference tr:
                            Use(tr, ins.OpCode.Name + " " + where);
                            break;
                        case CallSite cs:
                            Use(cs.ReturnType, "calli " + where);
                            foreach (var p in cs.Parameters) Use(p.ParameterType, "calli " + where);
                            break;
                    }
                }
            }
        }
        return found;
    }

    private static TypeReference Outer(TypeReference t)
    {
        while (t.DeclaringType != null) t = t.DeclaringType;
        return t;
    }

    // A type and what it is built from: element types of arrays, pointers and by-refs, generic
    // arguments, function-pointer signatures.
    private static IEnumerable<TypeReference> Expand(TypeReference? t)
    {
        if (t == null) yield break;
        switch (t)
        {
            case GenericInstanceType g:
                foreach (var x in Expand(g.ElementType)) yield return x;
                foreach (var a in g.GenericArguments) foreach (var x in Expand(a)) yield return x;
                yield break;
            case FunctionPointerType fp:
                foreach (var x in Expand(fp.ReturnType)) yield return x;
                foreach (var p in fp.Parameters) foreach (var x in Expand(p.ParameterType)) yield return x;
                yield break;
            case TypeSpecification s:
                foreach (var x in Expand(s.ElementType)) yield return x;
                yield break;
            case GenericParameter:
                yield break;
            default:
                yield return t;
                yield break;
        }
    }
}

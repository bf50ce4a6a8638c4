using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Tests.Kernel.Layers;

/// <summary>The kernel's layers call only downward (KernelLayers.Order, docs/architecture.md).</summary>
public class LayerTests
{
    private static readonly string KernelDll =
        Path.Combine(QemuRunner.RepoRoot, "Kernel", "Kernel", "bin", "Release", "net10.0", "Singularity.Kernel.dll");

    private static ModuleDefinition LoadKernel()
    {
        Assert.True(File.Exists(KernelDll), $"no kernel assembly at {KernelDll}: build it first with ./sing build");
        return ModuleDefinition.ReadModule(KernelDll);
    }

    /// <summary>
    /// Upward references not yet inverted, as "FROM -> TO" type pairs. Each is debt: the test fails
    /// on any upward reference not listed here, and on a listed one that no longer occurs (delete
    /// it then). Do not add to it: invert the call (registration from above) or move the code.
    /// </summary>
    public static readonly string[] KnownUpward =
    {
    };

    [Fact]
    public void EveryKernelTypeHasALayer()
    {
        using var module = LoadKernel();
        var unplaced = KernelLayers.Unplaced(module);
        Assert.True(unplaced.Count == 0,
            "kernel types outside the known layers (namespace Singularity.Kernel.LAYER, LAYER one of " +
            string.Join(", ", KernelLayers.Order) + "; place a new folder in KernelLayers.Order and docs/architecture.md):\n  " +
            string.Join("\n  ", unplaced));
    }

    [Fact]
    public void NoLayerCallsUpward()
    {
        using var module = LoadKernel();
        var violations = KernelLayers.Check(module);
        var unexpected = violations.Where(v => !KnownUpward.Contains(v.Edge)).Select(v => v.ToString()).Distinct().ToList();
        var fixedOnes = KnownUpward.Where(k => !violations.Any(v => v.Edge == k)).ToList();
        Assert.True(unexpected.Count == 0,
            $"{unexpected.Count} upward references in the kernel (lowest layer first: {string.Join(" < ", KernelLayers.Order)}):\n  " +
            string.Join("\n  ", unexpected));
        Assert.True(fixedOnes.Count == 0, "listed in KnownUpward but no longer present (delete them):\n  " + string.Join("\n  ", fixedOnes));
    }

    // A module with Arch.Low calling Boot.High.Run (upward), Boot.High calling Arch.Low.Run (downward),
    // Arch.Low holding a field of type Ipc.Thing (upward), and a type in an unknown folder.
    private static ModuleDefinition Synthetic()
    {
        var module = ModuleDefinition.CreateModule("Synthetic", ModuleKind.Dll);
        TypeDefinition Type(string ns, string name)
        {
            var t = new TypeDefinition(ns, name, TypeAttributes.Public | TypeAttributes.Class, module.TypeSystem.Object);
            module.Types.Add(t);
            return t;
        }
        MethodDefinition Run(TypeDefinition t, MethodReference? calls)
        {
            var m = new MethodDefinition("Run", MethodAttributes.Public | MethodAttributes.Static, module.TypeSystem.Void);
            var il = m.Body.GetILProcessor();
            if (calls != null) il.Emit(OpCodes.Call, calls);
            il.Emit(OpCodes.Ret);
            t.Methods.Add(m);
            return m;
        }
        var high = Type("Singularity.Kernel.Boot", "High");
        var low = Type("Singularity.Kernel.Arch", "Low");
        var thing = Type("Singularity.Kernel.Ipc", "Thing");
        Type("Singularity.Kernel.Elsewhere", "Stray");
        var highRun = Run(high, null);
        Run(low, highRun);
        Run(high, Run(thing, null));   // Boot -> Ipc: downward
        low.Fields.Add(new FieldDefinition("Held", FieldAttributes.Public | FieldAttributes.Static, thing));
        return module;
    }

    [Fact]
    public void CheckerReportsEveryUpwardReferenceInASyntheticModule()
    {
        using var module = Synthetic();
        var found = KernelLayers.Check(module);
        Assert.Contains(found, v => v.Edge == "Arch.Low -> Boot.High" && v.Kind.StartsWith("call Run", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Edge == "Arch.Low -> Ipc.Thing" && v.Kind == "field Held");
        Assert.DoesNotContain(found, v => v.From.EndsWith(".High", StringComparison.Ordinal));   // calling down is allowed
        Assert.Equal(new[] { "Singularity.Kernel.Elsewhere.Stray" }, KernelLayers.Unplaced(module));
    }

    [Fact]
    public void ArchitectureDocStatesTheSameLayerOrder()
    {
        // docs/architecture.md states the order on one line: "Layer order (lowest first): `Arch` < `Diagnostics` < ..."
        string doc = File.ReadAllText(Path.Combine(QemuRunner.RepoRoot, "docs", "architecture.md"));
        var line = doc.Split('\n').FirstOrDefault(l => l.StartsWith("Layer order (lowest first):", StringComparison.Ordinal));
        Assert.True(line != null, "docs/architecture.md lacks the line 'Layer order (lowest first): ...'");
        var named = System.Text.RegularExpressions.Regex.Matches(line!, "`(\\w+)`").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(KernelLayers.Order, named);
    }

    [Fact]
    public void EveryKernelFolderIsALayer()
    {
        string root = Path.Combine(QemuRunner.RepoRoot, "Kernel", "Kernel");
        var folders = Directory.GetDirectories(root).Select(Path.GetFileName)
            .Where(d => d is not ("bin" or "obj")).OrderBy(d => d, StringComparer.Ordinal).ToArray();
        Assert.Equal(KernelLayers.Order.OrderBy(d => d, StringComparer.Ordinal).ToArray(), folders);
    }

    // Constants are compiled into their users, so the assembly does not show a use of a higher
    // layer's constant: the sources' using directives and qualified names are checked as well.
    [Fact]
    public void NoSourceFileNamesAHigherLayer()
    {
        string root = Path.Combine(QemuRunner.RepoRoot, "Kernel", "Kernel");
        var found = new List<string>();
        foreach (string dir in KernelLayers.Order)
        {
            int own = Array.IndexOf(KernelLayers.Order, dir);
            foreach (string file in Directory.GetFiles(Path.Combine(root, dir), "*.cs", SearchOption.AllDirectories))
            {
                string text = File.ReadAllText(file);
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"Singularity\.Kernel\.(\w+)"))
                {
                    int other = Array.IndexOf(KernelLayers.Order, m.Groups[1].Value);
                    if (other > own) found.Add($"{Path.GetRelativePath(root, file)} names {m.Value}");
                }
            }
        }
        Assert.True(found.Count == 0, "kernel sources naming a higher layer:\n  " + string.Join("\n  ", found.Distinct()));
    }
}

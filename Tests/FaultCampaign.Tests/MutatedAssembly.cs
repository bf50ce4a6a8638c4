using System.Reflection;
using System.Runtime.Loader;
using Singularity.FaultCampaign.Mutation;

namespace Singularity.Tests.FaultCampaign;

/// <summary>
/// This test assembly with mutant schemata built into a copy of it, loaded in a collectible
/// context of its own: <see cref="Call"/> runs a method of Samples with one mutant switched on
/// (<c>&lt;MutantSwitch&gt;.Active</c>, a plain static in a .NET assembly).
/// </summary>
public sealed class MutatedAssembly : IDisposable
{
    private readonly AssemblyLoadContext _context;
    private readonly Assembly _assembly;
    private readonly FieldInfo _active;

    public IReadOnlyList<Mutant> Mutants { get; }

    public static AssemblyFile Self() =>
        new(typeof(Samples.Samples).Assembly.Location, new[] { Path.GetDirectoryName(typeof(object).Assembly.Location) });

    /// <summary>The catalog's mutants of <paramref name="type"/> in Samples.<paramref name="method"/>.</summary>
    public static List<Mutant> Of(string method, FaultType type) =>
        MutantCatalog.Enumerate(Self().Read()).Where(m => m.Type == type && m.Method.Contains("Samples::" + method + "(", StringComparison.Ordinal)).ToList();

    public MutatedAssembly(IReadOnlyList<Mutant> mutants)
    {
        Mutants = mutants;
        var module = Self().Read();
        MutantSchema.Build(module, mutants);
        _context = new AssemblyLoadContext("mutated-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        _assembly = _context.LoadFromStream(new MemoryStream(AssemblyFile.Write(module)));
        _active = _assembly.GetType(MutantSchema.SwitchTypeName)!.GetField(MutantSchema.ActiveFieldName, BindingFlags.Static | BindingFlags.NonPublic)!;
    }

    public object New(string type) => Activator.CreateInstance(_assembly.GetType("Singularity.Tests.FaultCampaign.Samples." + type)!)!;

    public object Call(int mutant, string method, params object[] args)
    {
        _active.SetValue(null, mutant);
        var m = _assembly.GetType("Singularity.Tests.FaultCampaign.Samples.Samples")!.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!;
        try { return m.Invoke(null, args); }
        catch (TargetInvocationException e) { throw e.InnerException!; }
    }

    public object Field(object o, string name) => o.GetType().GetField(name)!.GetValue(o)!;

    public void Dispose() => _context.Unload();
}

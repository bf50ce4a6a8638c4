using Mono.Cecil;
using Mono.Cecil.Rocks;
using Singularity.FaultCampaign.Mutation.Operators;

namespace Singularity.FaultCampaign.Mutation;

/// <summary>
/// Every mutant of an assembly, in a fixed order (types and methods in metadata order, operators in
/// <see cref="Operators"/> order, sites in IL order), so an id names the same fault in every run.
/// Methods that cannot be cloned into a schema are left out: constructors (a clone is not a
/// constructor), generic methods and methods of generic types, and bodiless ones.
/// </summary>
public static class MutantCatalog
{
    public static readonly IReadOnlyList<IFaultOperator> Operators = new IFaultOperator[]
    {
        new BranchFlip(), new OffByOne(), new CallDeleted(), new StoreDeleted(), new ArgumentsSwapped(),
        new ValueReplaced(), new EndlessLoop(), new ThrownException(), new ChannelMisuse(),
    };

    public static IFaultOperator Operator(FaultType t) => Operators.First(o => o.Type == t);

    public static bool IsTarget(MethodDefinition m) =>
        m.HasBody && !m.IsConstructor && !m.HasGenericParameters && !m.DeclaringType.HasGenericParameters
        && m.CallingConvention != MethodCallingConvention.VarArg && m.DeclaringType.Name != MutantSchema.SwitchTypeName
        && m.Body.Instructions.Count > 0;

    /// <summary>The methods mutants are made in, in metadata order (nested types after their parent).</summary>
    public static IEnumerable<MethodDefinition> Methods(ModuleDefinition module) =>
        module.GetTypes().SelectMany(t => t.Methods).Where(IsTarget);

    /// <summary>
    /// The mutants of <paramref name="module"/>, numbered from <paramref name="firstId"/>; those of
    /// a SIP library carry its file name (<paramref name="library"/>).
    /// </summary>
    public static List<Mutant> Enumerate(ModuleDefinition module, Func<MethodDefinition, bool> methodFilter = null, int firstId = 1, string library = null)
    {
        var list = new List<Mutant>();
        foreach (var m in Methods(module))
        {
            m.Body.SimplifyMacros();
            if (methodFilter != null && !methodFilter(m)) continue;
            foreach (var op in Operators)
                foreach (var site in op.Find(m))
                    list.Add(new Mutant(firstId + list.Count, op.Type, m.FullName, site.Index, OriginalOffset(m, site.Index), site.Variant, site.Description) { Library = library });
        }
        return list;
    }

    // Offsets are those of the body as read (macros expanded only in memory, so they are the file's).
    private static int OriginalOffset(MethodDefinition m, int index) => m.Body.Instructions[index].Offset;

    public static MutationSite Site(Mutant m) => new(m.Index, m.Variant, m.Description);
}

using System.Reflection;
using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>
/// Cecil knows only .NET's core library names (mscorlib, System.Runtime, ...). For a module built
/// against our Singularity.Corlib it would invent an mscorlib reference the first time it decodes a
/// primitive type. Point its type system at the real core library instead, before anything is read.
/// </summary>
public static class CecilCoreLibrary
{
    public const string Name = "Singularity.Corlib";

    public static void Fix(ModuleDefinition module)
    {
        // Before anything reads a type definition: reading one decodes its base type, and a base type
        // such as B<string> makes Cecil look up a primitive, inventing (and adding) an mscorlib reference.
        // A module that references our core library beside a foreign one (refused, SV0107) still
        // reads its primitives as ours, so the rest of it is verified against ours too.
        var corRef = module.AssemblyReferences.FirstOrDefault(r => r.Name == Name);
        if (corRef != null && module.Assembly?.Name.Name != Name)
        {
            var ts = module.TypeSystem;
            var lib = ts.GetType().GetField("core_library", BindingFlags.NonPublic | BindingFlags.Instance);
            if (lib != null && lib.GetValue(ts) == null) lib.SetValue(ts, corRef);
            return;
        }
        bool known = module.AssemblyReferences.Any(r => r.Name is "mscorlib" or "System.Runtime" or "System.Private.CoreLib" or "netstandard");
        if (known) return;
        var field = typeof(ModuleDefinition).GetField("type_system", BindingFlags.NonPublic | BindingFlags.Instance);
        if (field == null) return;
        bool definesObject = module.Assembly?.Name.Name == Name || module.Types.Any(t => t.Namespace == "System" && t.Name == "Object" && t.BaseType == null);
        if (definesObject)
        {
            var core = typeof(Mono.Cecil.TypeSystem).GetNestedType("CoreTypeSystem", BindingFlags.NonPublic);
            if (core != null && field.GetValue(module)?.GetType() != core)
                field.SetValue(module, Activator.CreateInstance(core, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, null, new object[] { module }, null));
        }
        // No core library reference: the verifier reports the assembly's references.
    }
}

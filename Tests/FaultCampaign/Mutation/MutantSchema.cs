using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace Singularity.FaultCampaign.Mutation;

/// <summary>
/// Mutant schemata: many mutants in one assembly, so one ilc run serves many trials. Each mutant
/// is a clone of its method with the one edit applied (<c>Name$mutantN</c>), and the original
/// method starts with a dispatch: when <c>&lt;MutantSwitch&gt;.Active</c> is N it calls the clone
/// with its own arguments and returns what the clone returns; otherwise the original body runs.
/// A clone is the whole mutated method, so the verifier checks each mutant on its own (its data
/// flow never joins the original's), exactly as it checked the single-mutant assembly.
///
/// The active id comes from the SIP's start arguments: a token <c>mutant=N</c> (Sip.Arguments),
/// read by the switch type's static constructor into a readonly static (a SIP has no mutable
/// statics, SV0106). Without the runtime (a .NET assembly in tests) the field is a plain static
/// that whoever runs the code sets.
/// </summary>
public static class MutantSchema
{
    public const string SwitchTypeName = "<MutantSwitch>";
    public const string ActiveFieldName = "Active";
    public const string Token = "mutant=";

    /// <summary>Applies one mutant in place (no dispatch): the assembly the verifier admits it by.</summary>
    public static void ApplySingle(ModuleDefinition module, Mutant mutant)
    {
        var method = Find(module, mutant.Method);
        method.Body.SimplifyMacros();
        MutantCatalog.Operator(mutant.Type).Apply(method, MutantCatalog.Site(mutant));
        method.Body.OptimizeMacros();
    }

    /// <summary>Adds every mutant in <paramref name="mutants"/> as a switchable clone.</summary>
    public static void Build(ModuleDefinition module, IReadOnlyCollection<Mutant> mutants)
    {
        if (mutants.Count == 0) throw new ArgumentException("no mutants to build");
        var runtime = module.AssemblyReferences.FirstOrDefault(r => r.Name == "Singularity.Runtime");
        var active = AddSwitch(module, readOnly: runtime != null);
        var methods = MutantCatalog.Methods(module).ToDictionary(m => m.FullName, StringComparer.Ordinal);
        foreach (var group in mutants.GroupBy(m => m.Method))
        {
            if (!methods.TryGetValue(group.Key, out var original))
                throw new InvalidOperationException($"mutant #{group.First().Id}: no method {group.Key} in {module.Name} (was it built from another version?)");
            original.Body.SimplifyMacros();
            var dispatch = new List<(Mutant Mutant, MethodDefinition Clone)>();
            foreach (var mutant in group.OrderBy(m => m.Id))
            {
                var clone = MethodCloner.Clone(original, original.Name + "$mutant" + mutant.Id);
                MutantCatalog.Operator(mutant.Type).Apply(clone, MutantCatalog.Site(mutant));
                clone.Body.OptimizeMacros();
                dispatch.Add((mutant, clone));
            }
            AddDispatch(original, active, dispatch);
            original.Body.OptimizeMacros();
        }
        if (runtime != null) AddArgumentsConstructor(module, runtime, active);
    }

    public static MethodDefinition Find(ModuleDefinition module, string fullName) =>
        MutantCatalog.Methods(module).FirstOrDefault(m => m.FullName == fullName)
        ?? throw new InvalidOperationException($"no method {fullName} in {module.Name}");

    private static FieldDefinition AddSwitch(ModuleDefinition module, bool readOnly)
    {
        if (module.GetType(SwitchTypeName) != null) throw new InvalidOperationException($"{module.Name} already has mutant schemata");
        var type = new TypeDefinition("", SwitchTypeName,
            TypeAttributes.NotPublic | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class | TypeAttributes.BeforeFieldInit,
            module.TypeSystem.Object);
        var field = new FieldDefinition(ActiveFieldName, FieldAttributes.Assembly | FieldAttributes.Static | (readOnly ? FieldAttributes.InitOnly : 0), module.TypeSystem.Int32);
        type.Fields.Add(field);
        module.Types.Add(type);
        return field;
    }

    private static void AddDispatch(MethodDefinition original, FieldDefinition active, List<(Mutant Mutant, MethodDefinition Clone)> dispatch)
    {
        var body = original.Body;
        var first = body.Instructions[0];
        var checks = new List<List<Instruction>>();
        foreach (var (mutant, clone) in dispatch)
        {
            var seq = new List<Instruction>
            {
                Instruction.Create(OpCodes.Ldsfld, active),
                Instruction.Create(OpCodes.Ldc_I4, mutant.Id),
                null, // bne.un to the next check, set below
            };
            if (original.HasThis) seq.Add(Instruction.Create(OpCodes.Ldarg, body.ThisParameter));
            foreach (var p in original.Parameters) seq.Add(Instruction.Create(OpCodes.Ldarg, p));
            seq.Add(Instruction.Create(OpCodes.Call, clone));
            seq.Add(Instruction.Create(OpCodes.Ret));
            checks.Add(seq);
        }
        for (int k = 0; k < checks.Count; k++)
            checks[k][2] = Instruction.Create(OpCodes.Bne_Un, k + 1 < checks.Count ? checks[k + 1][0] : first);
        var il = body.GetILProcessor();
        foreach (var i in checks.SelectMany(c => c)) il.InsertBefore(first, i);
    }

    /// <summary>The switch type's static constructor: <c>Active = Parse(Singularity.Sip.Arguments)</c>.</summary>
    private static void AddArgumentsConstructor(ModuleDefinition module, AssemblyNameReference runtime, FieldDefinition active)
    {
        var type = (TypeDefinition)active.DeclaringType;
        var sip = new TypeReference("Singularity", "Sip", module, runtime);
        var getArguments = new MethodReference("get_Arguments", module.TypeSystem.String, sip);
        var parse = AddParse(module, type);
        var cctor = new MethodDefinition(".cctor",
            MethodAttributes.Private | MethodAttributes.Static | MethodAttributes.HideBySig | MethodAttributes.SpecialName | MethodAttributes.RTSpecialName,
            module.TypeSystem.Void);
        var il = cctor.Body.GetILProcessor();
        il.Append(Instruction.Create(OpCodes.Call, getArguments));
        il.Append(Instruction.Create(OpCodes.Call, parse));
        il.Append(Instruction.Create(OpCodes.Stsfld, active));
        il.Append(Instruction.Create(OpCodes.Ret));
        type.Methods.Add(cctor);
    }

    /// <summary>
    /// <c>static int Parse(string args)</c>: the decimal digits after the first <c>mutant=</c> in
    /// <paramref name="args"/>, 0 when there is none. Written in IL against the core library's
    /// string (IndexOf(char, int), Substring, StartsWith, Length, the indexer), which the SIP's
    /// corlib and .NET's both have.
    /// </summary>
    public static MethodDefinition AddParse(ModuleDefinition module, TypeDefinition type)
    {
        var ts = module.TypeSystem;
        var str = ts.String;
        MethodReference M(string name, TypeReference ret, bool hasThis, params TypeReference[] ps)
        {
            var m = new MethodReference(name, ret, str) { HasThis = hasThis };
            foreach (var p in ps) m.Parameters.Add(new ParameterDefinition(p));
            return m;
        }
        var indexOf = M("IndexOf", ts.Int32, true, ts.Char, ts.Int32);
        var substring = M("Substring", str, true, ts.Int32);
        var startsWith = M("StartsWith", ts.Boolean, true, str);
        var length = M("get_Length", ts.Int32, true);
        var chars = M("get_Chars", ts.Char, true, ts.Int32);

        var parse = new MethodDefinition("Parse", MethodAttributes.Assembly | MethodAttributes.Static | MethodAttributes.HideBySig, ts.Int32);
        var args = new ParameterDefinition("args", ParameterAttributes.None, str);
        parse.Parameters.Add(args);
        var body = parse.Body;
        body.InitLocals = true;
        var p = new VariableDefinition(ts.Int32);
        var n = new VariableDefinition(ts.Int32);
        var c = new VariableDefinition(ts.Int32);
        body.Variables.Add(p); body.Variables.Add(n); body.Variables.Add(c);
        var il = body.GetILProcessor();
        var zero = Instruction.Create(OpCodes.Ldc_I4_0);
        var search = Instruction.Create(OpCodes.Ldarg, args);
        var digits = Instruction.Create(OpCodes.Ldloc, p);
        var done = Instruction.Create(OpCodes.Ldloc, n);

        il.Append(Instruction.Create(OpCodes.Ldarg, args));
        il.Append(Instruction.Create(OpCodes.Brfalse, zero));
        il.Append(Instruction.Create(OpCodes.Ldc_I4_M1));
        il.Append(Instruction.Create(OpCodes.Stloc, p));
        // search: p = args.IndexOf('m', p + 1); if (p < 0) return 0; if (!args.Substring(p).StartsWith("mutant=")) goto search;
        il.Append(search);
        il.Append(Instruction.Create(OpCodes.Ldc_I4, (int)'m'));
        il.Append(Instruction.Create(OpCodes.Ldloc, p));
        il.Append(Instruction.Create(OpCodes.Ldc_I4_1));
        il.Append(Instruction.Create(OpCodes.Add));
        il.Append(Instruction.Create(OpCodes.Callvirt, indexOf));
        il.Append(Instruction.Create(OpCodes.Stloc, p));
        il.Append(Instruction.Create(OpCodes.Ldloc, p));
        il.Append(Instruction.Create(OpCodes.Ldc_I4_0));
        il.Append(Instruction.Create(OpCodes.Blt, zero));
        il.Append(Instruction.Create(OpCodes.Ldarg, args));
        il.Append(Instruction.Create(OpCodes.Ldloc, p));
        il.Append(Instruction.Create(OpCodes.Callvirt, substring));
        il.Append(Instruction.Create(OpCodes.Ldstr, Token));
        il.Append(Instruction.Create(OpCodes.Callvirt, startsWith));
        il.Append(Instruction.Create(OpCodes.Brfalse, search));
        // p += 7; n = 0; while (p < args.Length && (c = args[p] - '0') is 0..9) { n = n * 10 + c; p++; }
        il.Append(Instruction.Create(OpCodes.Ldloc, p));
        il.Append(Instruction.Create(OpCodes.Ldc_I4, Token.Length));
        il.Append(Instruction.Create(OpCodes.Add));
        il.Append(Instruction.Create(OpCodes.Stloc, p));
        il.Append(Instruction.Create(OpCodes.Ldc_I4_0));
        il.Append(Instruction.Create(OpCodes.Stloc, n));
        il.Append(digits);
        il.Append(Instruction.Create(OpCodes.Ldarg, args));
        il.Append(Instruction.Create(OpCodes.Callvirt, length));
        il.Append(Instruction.Create(OpCodes.Bge, done));
        il.Append(Instruction.Create(OpCodes.Ldarg, args));
        il.Append(Instruction.Create(OpCodes.Ldloc, p));
        il.Append(Instruction.Create(OpCodes.Callvirt, chars));
        il.Append(Instruction.Create(OpCodes.Ldc_I4, (int)'0'));
        il.Append(Instruction.Create(OpCodes.Sub));
        il.Append(Instruction.Create(OpCodes.Stloc, c));
        il.Append(Instruction.Create(OpCodes.Ldloc, c));
        il.Append(Instruction.Create(OpCodes.Ldc_I4, 9));
        il.Append(Instruction.Create(OpCodes.Bgt_Un, done));
        // n = checked(n * 10 + c): an absurd id overflows and fails the SIP at start, never wraps to another mutant.
        il.Append(Instruction.Create(OpCodes.Ldloc, n));
        il.Append(Instruction.Create(OpCodes.Ldc_I4, 10));
        il.Append(Instruction.Create(OpCodes.Mul_Ovf));
        il.Append(Instruction.Create(OpCodes.Ldloc, c));
        il.Append(Instruction.Create(OpCodes.Add_Ovf));
        il.Append(Instruction.Create(OpCodes.Stloc, n));
        il.Append(Instruction.Create(OpCodes.Ldloc, p));
        il.Append(Instruction.Create(OpCodes.Ldc_I4_1));
        il.Append(Instruction.Create(OpCodes.Add));
        il.Append(Instruction.Create(OpCodes.Stloc, p));
        il.Append(Instruction.Create(OpCodes.Br, digits));
        il.Append(done);
        il.Append(Instruction.Create(OpCodes.Ret));
        il.Append(zero);
        il.Append(Instruction.Create(OpCodes.Ret));
        body.OptimizeMacros();
        type.Methods.Add(parse);
        return parse;
    }
}

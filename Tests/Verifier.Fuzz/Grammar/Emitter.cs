using Mono.Cecil;
using Mono.Cecil.Cil;
using Singularity.Verifier;

namespace Singularity.Verifier.Fuzz.Grammar;

/// <summary>
/// Writes generated programs as a SIP assembly with Cecil, against the real core library
/// (Singularity.Corlib, and Singularity.Runtime for the batch harness's output): the helper
/// types Node, Leaf : Node, struct Pair and static Helpers, and class P with one static method
/// per program. A batch also gets Main, which calls every method under try/catch and prints
/// "fz K" before method K and "fz done N" at the end.
/// </summary>
public static class Emitter
{
    private static readonly Lazy<ModuleDefinition> s_corlib = new(() => Read(Paths.Corlib));
    private static readonly Lazy<ModuleDefinition> s_runtime = new(() => Read(Paths.Runtime));
    private static readonly object s_lock = new();

    private static ModuleDefinition Read(string path)
    {
        var resolver = new DefaultAssemblyResolver();
        foreach (var d in resolver.GetSearchDirectories()) resolver.RemoveSearchDirectory(d);
        resolver.AddSearchDirectory(Paths.RuntimeDir);
        var m = ModuleDefinition.ReadModule(new MemoryStream(File.ReadAllBytes(path)), new ReaderParameters { ReadingMode = ReadingMode.Immediate, AssemblyResolver = resolver });
        CecilCoreLibrary.Fix(m);
        return m;
    }

    public const string MethodParameters = "int32 a, string s, object o, Fuzz.Node n, int32[] arr";

    /// <summary>One program as a library "FuzzGen" (what the verifier sees for one input).</summary>
    public static byte[] Single(GProgram p) => Build("FuzzGen", new[] { p }, harness: false);

    /// <summary>Many programs and the harness as an executable SIP.</summary>
    public static byte[] Batch(string name, IReadOnlyList<GProgram> programs) => Build(name, programs, harness: true);

    private static byte[] Build(string name, IReadOnlyList<GProgram> programs, bool harness)
    {
        // Cecil's shared core-library modules are not safe to import from concurrently.
        lock (s_lock)
        {
            var cor = s_corlib.Value;
            var asm = AssemblyDefinition.CreateAssembly(new AssemblyNameDefinition(name, new Version(1, 0, 0, 0)), name,
                new ModuleParameters { Kind = harness ? ModuleKind.Console : ModuleKind.Dll, Runtime = TargetRuntime.Net_4_0 });
            var module = asm.MainModule;
            // A new module's type system already names mscorlib as its core library: point it at ours.
            module.AssemblyReferences.Clear();
            var corRef = AssemblyNameReference.Parse(cor.Assembly.FullName);
            module.AssemblyReferences.Add(corRef);
            if (harness) module.AssemblyReferences.Add(AssemblyNameReference.Parse(s_runtime.Value.Assembly.FullName));
            var ts = module.TypeSystem;
            ts.GetType().GetField("core_library", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)?.SetValue(ts, corRef);
            var ctx = new Context(module, cor);
            ctx.DefineHelpers();
            var p = new TypeDefinition("Fuzz", "P", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.BeforeFieldInit, ctx.Object);
            module.Types.Add(p);
            var methods = new List<MethodDefinition>();
            for (int k = 0; k < programs.Count; k++)
            {
                var m = ctx.Method(p, "M" + k, programs[k]);
                methods.Add(m);
            }
            if (harness)
            {
                var main = ctx.Harness(p, methods, s_runtime.Value);
                module.EntryPoint = main;
            }
            // Cecil adds a reference to mscorlib along the way that nothing uses.
            foreach (var stray in module.AssemblyReferences.Where(r => r.Name == "mscorlib").ToList()) module.AssemblyReferences.Remove(stray);
            var ms = new MemoryStream();
            module.Write(ms);
            return ms.ToArray();
        }
    }

    private sealed class Context
    {
        private readonly ModuleDefinition _m;
        private readonly ModuleDefinition _cor;
        private readonly Dictionary<Sym, MemberReference> _syms = new();
        private readonly Dictionary<int, VariableDefinition> _phantomLocals = new();
        private readonly Dictionary<int, ParameterDefinition> _phantomArgs = new();
        public TypeReference Object, String, Int32, Int64, Double, Exception, ValueType;
        public TypeDefinition Node, Leaf, Pair, Helpers;

        public Context(ModuleDefinition m, ModuleDefinition cor)
        {
            _m = m; _cor = cor;
            Object = CorType("System.Object");
            String = CorType("System.String");
            Int32 = CorType("System.Int32");
            Int64 = CorType("System.Int64");
            Double = CorType("System.Double");
            Exception = CorType("System.Exception");
            ValueType = CorType("System.ValueType");
        }

        private TypeDefinition CorDef(string fullName) => _cor.Types.First(t => t.FullName == fullName);
        private TypeReference CorType(string fullName) => _m.ImportReference(CorDef(fullName));
        private MethodReference CorMethod(string type, string name, int parameters, Func<MethodDefinition, bool> more = null)
            => _m.ImportReference(CorDef(type).Methods.First(x => x.Name == name && x.Parameters.Count == parameters && (more == null || more(x))));

        public void DefineHelpers()
        {
            var objCtor = CorMethod("System.Object", ".ctor", 0);
            const MethodAttributes ctorAttrs = MethodAttributes.Public | MethodAttributes.HideBySig | MethodAttributes.SpecialName | MethodAttributes.RTSpecialName;

            Node = new TypeDefinition("Fuzz", "Node", TypeAttributes.Public | TypeAttributes.BeforeFieldInit, Object);
            _m.Types.Add(Node);
            var f = new FieldDefinition("F", FieldAttributes.Public, Int32);
            var g = new FieldDefinition("G", FieldAttributes.Public, String);
            var next = new FieldDefinition("Next", FieldAttributes.Public, Node);
            var l = new FieldDefinition("L", FieldAttributes.Public, Int64);
            var ro = new FieldDefinition("RO", FieldAttributes.Public | FieldAttributes.InitOnly, Int32);
            foreach (var x in new[] { f, g, next, l, ro }) Node.Fields.Add(x);
            var nodeCtor = new MethodDefinition(".ctor", ctorAttrs, _m.TypeSystem.Void);
            Node.Methods.Add(nodeCtor);
            Body(nodeCtor, il => { il.Emit(OpCodes.Ldarg_0); il.Emit(OpCodes.Call, objCtor); il.Emit(OpCodes.Ldarg_0); il.Emit(OpCodes.Ldc_I4_5); il.Emit(OpCodes.Stfld, ro); il.Emit(OpCodes.Ret); });
            var v = new MethodDefinition("V", MethodAttributes.Public | MethodAttributes.HideBySig | MethodAttributes.Virtual | MethodAttributes.NewSlot, Int32);
            Node.Methods.Add(v);
            Body(v, il => { il.Emit(OpCodes.Ldarg_0); il.Emit(OpCodes.Ldfld, f); il.Emit(OpCodes.Ret); });

            Leaf = new TypeDefinition("Fuzz", "Leaf", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.BeforeFieldInit, Node);
            _m.Types.Add(Leaf);
            var leafCtor = new MethodDefinition(".ctor", ctorAttrs, _m.TypeSystem.Void);
            Leaf.Methods.Add(leafCtor);
            Body(leafCtor, il => { il.Emit(OpCodes.Ldarg_0); il.Emit(OpCodes.Call, nodeCtor); il.Emit(OpCodes.Ret); });
            var lv = new MethodDefinition("V", MethodAttributes.Public | MethodAttributes.HideBySig | MethodAttributes.Virtual, Int32);
            Leaf.Methods.Add(lv);
            Body(lv, il => { il.Emit(OpCodes.Ldc_I4, 9); il.Emit(OpCodes.Ret); });

            Pair = new TypeDefinition("Fuzz", "Pair", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.SequentialLayout | TypeAttributes.BeforeFieldInit, ValueType);
            _m.Types.Add(Pair);
            var px = new FieldDefinition("X", FieldAttributes.Public, Int32);
            var py = new FieldDefinition("Y", FieldAttributes.Public, Int64);
            var pr = new FieldDefinition("R", FieldAttributes.Public, Object);
            foreach (var x in new[] { px, py, pr }) Pair.Fields.Add(x);

            Helpers = new TypeDefinition("Fuzz", "Helpers", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.BeforeFieldInit, Object);
            _m.Types.Add(Helpers);
            var seven = new FieldDefinition("Seven", FieldAttributes.Public | FieldAttributes.Static | FieldAttributes.InitOnly, Int32);
            Helpers.Fields.Add(seven);
            var cctor = new MethodDefinition(".cctor", MethodAttributes.Private | MethodAttributes.Static | MethodAttributes.HideBySig | MethodAttributes.SpecialName | MethodAttributes.RTSpecialName, _m.TypeSystem.Void);
            Helpers.Methods.Add(cctor);
            Body(cctor, il => { il.Emit(OpCodes.Ldc_I4_7); il.Emit(OpCodes.Stsfld, seven); il.Emit(OpCodes.Ret); });
            var twice = new MethodDefinition("Twice", MethodAttributes.Public | MethodAttributes.Static | MethodAttributes.HideBySig, Int32);
            twice.Parameters.Add(new ParameterDefinition("x", ParameterAttributes.None, Int32));
            Helpers.Methods.Add(twice);
            Body(twice, il => { il.Emit(OpCodes.Ldarg_0); il.Emit(OpCodes.Ldarg_0); il.Emit(OpCodes.Add); il.Emit(OpCodes.Ret); });
            var name = new MethodDefinition("Name", MethodAttributes.Public | MethodAttributes.Static | MethodAttributes.HideBySig, String);
            name.Parameters.Add(new ParameterDefinition("o", ParameterAttributes.None, Object));
            Helpers.Methods.Add(name);
            var toString = CorMethod("System.Object", "ToString", 0);
            Body(name, il =>
            {
                var notNull = il.Create(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldarg_0); il.Emit(OpCodes.Brtrue_S, notNull); il.Emit(OpCodes.Ldstr, "null"); il.Emit(OpCodes.Ret);
                il.Append(notNull); il.Emit(OpCodes.Callvirt, toString); il.Emit(OpCodes.Ret);
            });

            _syms[Sym.TInt32] = Int32; _syms[Sym.TInt64] = Int64; _syms[Sym.TDouble] = Double; _syms[Sym.TObject] = Object; _syms[Sym.TString] = String;
            _syms[Sym.TException] = Exception; _syms[Sym.TNullReference] = CorType("System.NullReferenceException");
            _syms[Sym.TNode] = Node; _syms[Sym.TLeaf] = Leaf; _syms[Sym.TPair] = Pair; _syms[Sym.THelpers] = Helpers;
            _syms[Sym.TIntArr] = new ArrayType(Int32); _syms[Sym.TObjArr] = new ArrayType(Object); _syms[Sym.TStrArr] = new ArrayType(String);
            _syms[Sym.FNodeF] = f; _syms[Sym.FNodeG] = g; _syms[Sym.FNodeNext] = next; _syms[Sym.FNodeL] = l; _syms[Sym.FNodeRO] = ro;
            _syms[Sym.FPairX] = px; _syms[Sym.FPairY] = py; _syms[Sym.FPairR] = pr; _syms[Sym.FSeven] = seven;
            _syms[Sym.FStrEmpty] = _m.ImportReference(CorDef("System.String").Fields.First(x => x.Name == "Empty"));
            _syms[Sym.MNodeCtor] = nodeCtor; _syms[Sym.MLeafCtor] = leafCtor; _syms[Sym.MNodeV] = v; _syms[Sym.MObjCtor] = objCtor;
            _syms[Sym.MObjToString] = toString; _syms[Sym.MObjHash] = CorMethod("System.Object", "GetHashCode", 0);
            _syms[Sym.MObjEquals] = CorMethod("System.Object", "Equals", 1, x => !x.IsStatic);
            _syms[Sym.MStrLength] = CorMethod("System.String", "get_Length", 0);
            _syms[Sym.MStrChars] = CorMethod("System.String", "get_Chars", 1);
            _syms[Sym.MStrConcat] = CorMethod("System.String", "Concat", 2, x => x.Parameters[0].ParameterType.FullName == "System.String");
            _syms[Sym.MStrSubstring] = CorMethod("System.String", "Substring", 1);
            _syms[Sym.MStrEquals] = CorMethod("System.String", "Equals", 2, x => x.IsStatic);
            _syms[Sym.MExCtor] = CorMethod("System.Exception", ".ctor", 1);
            _syms[Sym.MTwice] = twice; _syms[Sym.MName] = name;
        }

        private static void Body(MethodDefinition m, Action<ILProcessor> emit)
        {
            m.Body.InitLocals = true;
            emit(m.Body.GetILProcessor());
        }

        private TypeReference TypeOf(Ty t) => t switch
        {
            Ty.I4 => Int32,
            Ty.I8 => Int64,
            Ty.R8 => Double,
            Ty.Str => String,
            Ty.Obj => Object,
            Ty.Node => Node,
            Ty.IntArr => new ArrayType(Int32),
            Ty.ObjArr => new ArrayType(Object),
            Ty.Pair => Pair,
            _ => new ByReferenceType(Int32),
        };

        public MethodDefinition Method(TypeDefinition owner, string name, GProgram prog)
        {
            var m = new MethodDefinition(name, MethodAttributes.Public | MethodAttributes.Static | MethodAttributes.HideBySig, Int32);
            m.Parameters.Add(new ParameterDefinition("a", ParameterAttributes.None, Int32));
            m.Parameters.Add(new ParameterDefinition("s", ParameterAttributes.None, String));
            m.Parameters.Add(new ParameterDefinition("o", ParameterAttributes.None, Object));
            m.Parameters.Add(new ParameterDefinition("n", ParameterAttributes.None, Node));
            m.Parameters.Add(new ParameterDefinition("arr", ParameterAttributes.None, new ArrayType(Int32)));
            owner.Methods.Add(m);
            var body = m.Body;
            body.InitLocals = true;
            foreach (var t in prog.Locals) body.Variables.Add(new VariableDefinition(TypeOf(t)));
            var ins = new Instruction[prog.Code.Count];
            for (int i = 0; i < ins.Length; i++)
            {
                var g = prog.Code[i];
                var x = Instruction.Create(OpCodes.Nop);
                x.OpCode = g.Op;
                x.Operand = g.Arg switch
                {
                    null => null,
                    Sym s => _syms[s],
                    LocalRef l => l.Index < body.Variables.Count ? body.Variables[l.Index] : PhantomLocal(l.Index),
                    ArgRef a => a.Index < m.Parameters.Count ? m.Parameters[a.Index] : PhantomArg(a.Index),
                    int n when g.Op.OperandType == OperandType.ShortInlineI => (sbyte)n,
                    _ => g.Arg,   // int, long, double, string; targets below
                };
                ins[i] = x;
            }
            for (int i = 0; i < ins.Length; i++)
            {
                switch (prog.Code[i].Arg)
                {
                    case Target t: ins[i].Operand = ins[t.Index]; break;
                    case Targets ts: ins[i].Operand = ts.Indexes.Select(k => ins[k]).ToArray(); break;
                }
                body.Instructions.Add(ins[i]);
            }
            foreach (var h in prog.Handlers)
            {
                body.ExceptionHandlers.Add(new ExceptionHandler(h.Kind switch { HandlerKind.Catch => ExceptionHandlerType.Catch, HandlerKind.Finally => ExceptionHandlerType.Finally, _ => ExceptionHandlerType.Fault })
                {
                    TryStart = ins[h.TryStart],
                    TryEnd = h.TryEnd < ins.Length ? ins[h.TryEnd] : null,
                    HandlerStart = ins[h.HandlerStart],
                    HandlerEnd = h.HandlerEnd < ins.Length ? ins[h.HandlerEnd] : null,
                    CatchType = h.Kind == HandlerKind.Catch ? (TypeReference)_syms[h.CatchType] : null,
                });
            }
            return m;
        }

        /// <summary>A local index past the method's locals (Cecil writes a variable's index, so one from another body carries it).</summary>
        private VariableDefinition PhantomLocal(int index)
        {
            if (_phantomLocals.TryGetValue(index, out var v)) return v;
            var holder = new MethodDefinition("phantom", MethodAttributes.Static, Int32);
            for (int i = 0; i <= index; i++) holder.Body.Variables.Add(new VariableDefinition(Int32));
            return _phantomLocals[index] = holder.Body.Variables[index];
        }

        private ParameterDefinition PhantomArg(int index)
        {
            if (_phantomArgs.TryGetValue(index, out var p)) return p;
            var holder = new MethodDefinition("phantom", MethodAttributes.Static, Int32);
            for (int i = 0; i <= index; i++) holder.Parameters.Add(new ParameterDefinition(Int32));
            return _phantomArgs[index] = holder.Parameters[index];
        }

        /// <summary>static int Main(): each method called under try/catch with arguments that vary by K.</summary>
        public MethodDefinition Harness(TypeDefinition owner, List<MethodDefinition> methods, ModuleDefinition runtime)
        {
            var debug = runtime.Types.First(t => t.FullName == "Singularity.Debug");
            var writeLine = _m.ImportReference(debug.Methods.First(x => x.Name == "WriteLine" && x.Parameters.Count == 1));
            var intToString = CorMethod("System.Int32", "ToString", 0);
            var main = new MethodDefinition("Main", MethodAttributes.Public | MethodAttributes.Static | MethodAttributes.HideBySig, Int32);
            owner.Methods.Add(main);
            var body = main.Body;
            body.InitLocals = true;
            var caught = new VariableDefinition(Int32);
            body.Variables.Add(caught);
            var il = body.GetILProcessor();
            int[] aValues = { 7, 0, -1, 1, int.MaxValue };
            for (int k = 0; k < methods.Count; k++)
            {
                var after = il.Create(OpCodes.Nop);
                il.Emit(OpCodes.Ldstr, "fz " + k);
                il.Emit(OpCodes.Call, writeLine);
                var tryStart = il.Create(OpCodes.Ldc_I4, aValues[k % aValues.Length]);
                il.Append(tryStart);
                il.Emit(OpCodes.Ldstr, k % 2 == 0 ? "abc" : "");
                switch (k % 3)
                {
                    case 0: il.Emit(OpCodes.Ldc_I4, 42); il.Emit(OpCodes.Box, Int32); break;
                    case 1: il.Emit(OpCodes.Ldstr, "obj"); break;
                    default: il.Emit(OpCodes.Newobj, (MethodReference)_syms[Sym.MLeafCtor]); break;
                }
                if (k % 4 == 3) il.Emit(OpCodes.Ldnull); else il.Emit(OpCodes.Newobj, (MethodReference)_syms[Sym.MNodeCtor]);
                il.Emit(OpCodes.Ldc_I4, 4);
                il.Emit(OpCodes.Newarr, Int32);
                il.Emit(OpCodes.Call, methods[k]);
                il.Emit(OpCodes.Pop);
                il.Emit(OpCodes.Leave, after);
                var handler = il.Create(OpCodes.Pop);
                il.Append(handler);
                il.Emit(OpCodes.Ldloc, caught);
                il.Emit(OpCodes.Ldc_I4_1);
                il.Emit(OpCodes.Add);
                il.Emit(OpCodes.Stloc, caught);
                il.Emit(OpCodes.Leave, after);
                il.Append(after);
                body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Catch) { TryStart = tryStart, TryEnd = handler, HandlerStart = handler, HandlerEnd = after, CatchType = Exception });
            }
            il.Emit(OpCodes.Ldstr, "fz done " + methods.Count + " caught ");
            il.Emit(OpCodes.Ldloca, caught);
            il.Emit(OpCodes.Call, intToString);
            il.Emit(OpCodes.Call, (MethodReference)_syms[Sym.MStrConcat]);
            il.Emit(OpCodes.Call, writeLine);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Ret);
            return main;
        }
    }
}

using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>
/// The data-flow pass over one method body (ECMA-335 Partition III): every stack slot, local and
/// argument gets a verification type; states merge at join points until a fixed point; each
/// instruction checks its operands. The same pass follows tracked values (exchange-heap blocks,
/// endpoints) for the ownership rules: each value is an id (its producing instruction) whose
/// state is a set of {owned, transferred}.
///
/// How it is built (one file per concept, all parts of this class; docs/verifier.md "How the
/// verifier is built" says how to add a rule):
/// - this file: the type-flow core: the entry state, the work list of blocks, and Step, which
///   hands each instruction to its opcode family;
/// - FlowState.cs, VerificationTypes.cs: the abstract state and the verification types;
/// - Joins.cs: merging types where paths join; OwnershipAtJoins.cs: merging tracked ids;
/// - Ownership.cs: the ownership tracker's hooks (NewTrack, Use, Transfer, Dropped, CheckLeaks,
///   StoreThrough), which the opcode families call; Tracking.cs says which types are tracked;
/// - ExceptionRegions.cs: the exception table's structure, handler entry states, finally exits;
/// - Prefixes.cs: instruction prefixes;
/// - Opcodes/*.cs: one file per opcode family (calls, fields, arrays, objects, arithmetic,
///   branches, ...): each a method StepX(ins, s, code) and its helpers.
/// </summary>
internal sealed partial class MethodVerifier
{
    private const byte Owned = 1, Transferred = 2, Borrowed = 4;
    /// <summary>An id some of whose slots may be null where others hold the value: a null test of one says nothing about the others.</summary>
    private const byte Mixed = 8;
    /// <summary>Home of a byref parameter: memory of the caller (a store there hands ownership to the caller).</summary>
    private const int CallerHome = int.MinValue;

    private sealed class Abort : Exception { }

    private readonly AssemblyVerifier _av;
    private readonly TypeSystem _ts;
    private readonly Tracking _tr;
    private readonly MethodDefinition _m;
    private readonly MethodBody _body;
    private readonly Instruction[] _ins;
    private readonly Dictionary<int, int> _index = new();   // offset -> instruction index
    private readonly State[] _at;                           // stored states at join points
    private readonly bool[] _join;
    private readonly TypeReference[] _argTypes;
    private readonly bool _ctorOfClass;
    private readonly HashSet<(string, int)> _reported = new();
    private readonly Dictionary<int, TypeReference> _trackType = new();
    private readonly HashSet<int> _refParams = new();     // track ids of ref parameters of tracked types (borrowed)
    private readonly List<ExceptionHandler> _handlers;
    private readonly int[][] _regions;                      // per instruction: the ids of enclosing regions (try/handler)
    private readonly Prefixes[] _prefixes;                  // per instruction: the prefixes it carries (none for a prefix itself)
    private readonly bool[] _afterPrefix;                   // per instruction: it follows a prefix (part of one instruction: not a branch target)
    private readonly bool _thisTracked;                     // 'this' keeps its identity: a class's instance method that never stores to or takes the address of argument 0
    private int _cur;
    private readonly Stack<(int At, State D)> _work = new(); // blocks (instruction index, disjunct) whose entry state changed
    private bool _dead;                                     // the block being walked cannot run (ownership is not reported there)

    public MethodVerifier(AssemblyVerifier av, MethodDefinition m)
    {
        _av = av; _ts = av.Types; _tr = av.Tracking; _m = m; _body = m.Body;
        _ins = _body.Instructions.ToArray();
        for (int i = 0; i < _ins.Length; i++) _index[_ins[i].Offset] = i;
        _at = new State[_ins.Length];
        _join = new bool[_ins.Length];
        int n = m.Parameters.Count + (m.HasThis ? 1 : 0);
        _argTypes = new TypeReference[n];
        int k = 0;
        if (m.HasThis) _argTypes[k++] = m.DeclaringType.IsValueType ? new ByReferenceType(SelfType()) : SelfType();
        foreach (var p in m.Parameters) _argTypes[k++] = p.ParameterType;
        _ctorOfClass = m.IsConstructor && !m.IsStatic && !m.DeclaringType.IsValueType && _ts.Key(m.DeclaringType) != "System.Object";
        _handlers = _body.HasExceptionHandlers ? _body.ExceptionHandlers.ToList() : new List<ExceptionHandler>();
        _regions = new int[_ins.Length][];
        _prefixes = new Prefixes[_ins.Length];
        _afterPrefix = new bool[_ins.Length];
        // III.3.19: 'this' is the result of ldarg.0 in a method whose body has no starg 0 or ldarga 0.
        _thisTracked = m.HasThis && !m.DeclaringType.IsValueType && !_ins.Any(i => i.OpCode.Code is Code.Starg or Code.Starg_S or Code.Ldarga or Code.Ldarga_S && IsArgZero(i));
        _flagLocals = FindFlagLocals();
    }

    private bool IsArgZero(Instruction i) => i.Operand switch { ParameterDefinition p => p.Index == -1 || (p.Index == 0 && !_m.HasThis), int n => n == 0, sbyte b => b == 0, byte u => u == 0, _ => false };

    private TypeReference SelfType()
    {
        var t = _m.DeclaringType;
        if (!t.HasGenericParameters) return t;
        var g = new GenericInstanceType(t);
        foreach (var p in t.GenericParameters) g.GenericArguments.Add(p);
        return g;
    }

    // ----- reporting --------------------------------------------------------------------------

    private void Report(string code, string message, int? offset = null)
    {
        // Code on a path that cannot run is type-checked; what it does with ownership is not reported.
        if (_dead && code is Codes.UseAfterTransfer or Codes.DoubleTransfer or Codes.Leak or Codes.TransferNotOwned) return;
        int off = offset ?? (_cur >= 0 && _cur < _ins.Length ? _ins[_cur].Offset : 0);
        if (_reported.Add((code, off))) _av.Report(code, _m, off, message);
    }

    private Exception Fail(string code, string message)
    {
        Report(code, message);
        return new Abort();
    }

    // ----- entry ------------------------------------------------------------------------------

    public void Run()
    {
        if (_ins.Length == 0) { Report(Codes.FallThrough, "empty method body", 0); return; }
        if (_body.Variables.Count > 0 && !_body.InitLocals)
            Report(Codes.SkipLocalsInit, "method has locals but no localsinit flag (SkipLocalsInit): locals could be read uninitialised", 0);

        ScanPrefixes();
        ComputeRegionsAndJoins();
        if (!CheckRegions()) return;

        var entry = new State { S = new V[Math.Max(_body.MaxStackSize, 1) + 1], A = new V[_argTypes.Length], L = new V[_body.Variables.Count], ThisInit = !_ctorOfClass };
        for (int i = 0; i < _argTypes.Length; i++)
        {
            entry.A[i] = FromType(_argTypes[i]);
            if (entry.A[i].K == VK.ByRef && i == 0 && _m.HasThis)
            {
                entry.A[i].F |= VF.Local; entry.A[i].Home = -1;   // a struct's this is scoped
                // A readonly member (or a member of a readonly struct) may be called through a read-only reference: its 'this' is read-only.
                if (!_m.IsConstructor && IsReadOnlyMember(_m)) entry.A[i].F |= VF.ReadOnly;
            }
            else if (entry.A[i].K == VK.ByRef)
            {
                entry.A[i].Home = CallerHome;
                // An [in] (or ref readonly) parameter may be a read-only reference of the caller's: never written here.
                if (IsInParam(_m, _m.HasThis ? i - 1 : i)) entry.A[i].F |= VF.ReadOnly;
            }
            if (_tr.IsTracked(_argTypes[i]) && _argTypes[i] is not ByReferenceType)
            {
                int pi = _m.HasThis ? i - 1 : i;
                // A claimed parameter is owned here; any other is borrowed from the caller.
                int id = -(i + 1);
                entry.A[i].Track = id;
                entry.Own ??= new();
                entry.Own[id] = pi >= 0 && _tr.ClaimsParameter(_m, pi) ? Owned : Borrowed;
                _trackType[id] = _argTypes[i];
            }
            else if (_argTypes[i] is ByReferenceType brt && !(i == 0 && _m.HasThis) && _tr.IsTracked(TypeSystem.Strip(brt.ElementType))
                     && !_m.Parameters[_m.HasThis ? i - 1 : i].IsOut)
            {
                // A ref parameter of a tracked type is the address of the caller's value: what it
                // holds is borrowed (read it, never free, send or claim it), as in the analyzer (SING0012).
                int id = -(i + 1);
                entry.A[i].Track = id;
                entry.Own ??= new();
                entry.Own[id] = Borrowed;
                _trackType[id] = TypeSystem.Strip(brt.ElementType);
                _refParams.Add(id);
            }
        }
        for (int i = 0; i < entry.L.Length; i++) { entry.L[i] = FromType(_body.Variables[i].VariableType); entry.L[i].Track = 0; }

        _at[0] = entry; Enqueue(0, entry);
        // Handler entry states are created by merges from the protected region (FlowToHandlers).
        // A safety net: the merges are monotone and reach a fixed point, but a method must never
        // keep the verifier busy for ever. Past this many block visits (it scales with the method)
        // the method is refused with SV0219.
        long limit = _av.Options.MaxBlockVisits > 0 ? _av.Options.MaxBlockVisits : MaxVisits(_ins.Length, _body.Variables.Count + _argTypes.Length);
        long visits = 0;
        while (_work.Count > 0)
        {
            if (++visits > limit)
            {
                Report(Codes.NoFixedPoint, $"the data-flow pass did not reach a fixed point within {limit} block visits ({_ins.Length} instructions): the method is refused (simplify its loops)", 0);
                return;
            }
            var (i, d) = _work.Pop();
            d.Queued = false;
            var st = d.Clone();
            try { RunBlock(i, st); }
            catch (Abort) { }
        }
        // Unreachable handlers and code are not verified (they never run); that is ECMA's rule too.
    }

    /// <summary>The bound on block visits for a method of <paramref name="instructions"/> instructions and <paramref name="slots"/> locals and arguments.</summary>
    public static long MaxVisits(int instructions, int slots) => 20_000 + 64L * instructions * (4 + Math.Min(slots, 60));

    // ----- the block walk ---------------------------------------------------------------------

    /// <summary>Opcodes that may change locals, arguments or ownership (the state a handler sees).</summary>
    private static readonly bool[] Mutates = BuildMutates();

    private static bool[] BuildMutates()
    {
        var t = new bool[512];
        foreach (Code c in Enum.GetValues<Code>())
        {
            string n = c.ToString();
            if (n.StartsWith("Stloc") || n.StartsWith("Starg") || n.StartsWith("Stind") || n.StartsWith("Stelem") || n.StartsWith("Brtrue") || n.StartsWith("Brfalse")
                || c is Code.Stobj or Code.Initobj or Code.Cpobj or Code.Call or Code.Callvirt or Code.Newobj or Code.Stfld or Code.Stsfld or Code.Box)
                t[(int)c] = true;
        }
        return t;
    }

    private void RunBlock(int i, State st)
    {
        bool dirty = true;
        _dead = st.Dead;
        while (true)
        {
            _cur = i;
            // States inside a protected region flow into its handlers (stack: the exception or nothing),
            // whenever they may have changed since the last flow.
            if (_regions[i].Length > 0 && (dirty || !SameRegions(i, i - 1))) FlowToHandlers(i, st);
            var ins = _ins[i];
            dirty = Mutates[(int)ins.OpCode.Code];
            bool fallsThrough = Step(ins, st);
            if (!fallsThrough) return;
            int next = i + 1;
            if (next >= _ins.Length) throw Fail(Codes.FallThrough, "control falls off the end of the method");
            if (!SameRegions(i, next))
            {
                _cur = i;
                if (!BranchAllowed(i, next, false)) throw Fail(Codes.ExceptionRegion, "control falls through into or out of a protected region or handler");
                if (st.N != 0) throw Fail(Codes.ExceptionRegion, "the stack must be empty when entering a try block");
            }
            if (_join[next]) { MergeInto(next, st); return; }
            i = next;
        }
    }

    // ----- one instruction --------------------------------------------------------------------

    /// <summary>
    /// Executes one instruction on <paramref name="s"/>; returns whether control falls through.
    /// Each opcode family has its own file under Opcodes/ (a method StepX(ins, s, code) that checks
    /// the operands, pushes the result and calls the ownership and exception-region hooks); this
    /// switch only says which family an opcode belongs to.
    /// </summary>
    private bool Step(Instruction ins, State s)
    {
        var code = ins.OpCode.Code;
        switch (code)
        {
            case Code.Nop: case Code.Break: return true;
            case Code.Volatile: case Code.Unaligned: case Code.No: case Code.Constrained: case Code.Readonly: case Code.Tail: return true;

            case Code.Jmp: case Code.Calli: case Code.Arglist: case Code.Localloc: case Code.Cpblk: case Code.Initblk:
            case Code.Mkrefany: case Code.Refanyval: case Code.Refanytype:
                throw Fail(Codes.UnverifiableOpcode, $"{ins.OpCode.Name} is not allowed in a SIP (unverifiable)");

            case Code.Ldarg_0: case Code.Ldarg_1: case Code.Ldarg_2: case Code.Ldarg_3: case Code.Ldarg_S: case Code.Ldarg:
            case Code.Ldarga_S: case Code.Ldarga: case Code.Starg_S: case Code.Starg: case Code.Ldloc_0: case Code.Ldloc_1:
            case Code.Ldloc_2: case Code.Ldloc_3: case Code.Ldloc_S: case Code.Ldloc: case Code.Ldloca_S: case Code.Ldloca:
            case Code.Stloc_0: case Code.Stloc_1: case Code.Stloc_2: case Code.Stloc_3: case Code.Stloc_S: case Code.Stloc:
                return StepLocalsAndArguments(ins, s, code);
            case Code.Ldnull: case Code.Ldc_I4_M1: case Code.Ldc_I4_0: case Code.Ldc_I4_1: case Code.Ldc_I4_2: case Code.Ldc_I4_3:
            case Code.Ldc_I4_4: case Code.Ldc_I4_5: case Code.Ldc_I4_6: case Code.Ldc_I4_7: case Code.Ldc_I4_8: case Code.Ldc_I4_S:
            case Code.Ldc_I4: case Code.Ldc_I8: case Code.Ldc_R4: case Code.Ldc_R8: case Code.Ldstr: case Code.Dup:
            case Code.Pop:
                return StepStackAndConstants(ins, s, code);
            case Code.Call: case Code.Callvirt: case Code.Newobj: case Code.Ret: case Code.Ldftn: case Code.Ldvirtftn:
                return StepCalls(ins, s, code);
            case Code.Br_S: case Code.Br: case Code.Brfalse_S: case Code.Brfalse: case Code.Brtrue_S: case Code.Brtrue:
            case Code.Beq_S: case Code.Beq: case Code.Bne_Un_S: case Code.Bne_Un: case Code.Bge_S: case Code.Bge:
            case Code.Bge_Un_S: case Code.Bge_Un: case Code.Bgt_S: case Code.Bgt: case Code.Bgt_Un_S: case Code.Bgt_Un:
            case Code.Ble_S: case Code.Ble: case Code.Ble_Un_S: case Code.Ble_Un: case Code.Blt_S: case Code.Blt:
            case Code.Blt_Un_S: case Code.Blt_Un: case Code.Switch:
                return StepBranches(ins, s, code);
            case Code.Ldind_I1: case Code.Ldind_U1: case Code.Ldind_I2: case Code.Ldind_U2: case Code.Ldind_I4: case Code.Ldind_U4:
            case Code.Ldind_I8: case Code.Ldind_I: case Code.Ldind_R4: case Code.Ldind_R8: case Code.Ldind_Ref: case Code.Stind_I1:
            case Code.Stind_I2: case Code.Stind_I4: case Code.Stind_I8: case Code.Stind_I: case Code.Stind_R4: case Code.Stind_R8:
            case Code.Stind_Ref:
                return StepIndirect(ins, s, code);
            case Code.Add: case Code.Sub: case Code.Mul: case Code.Div: case Code.Rem: case Code.Add_Ovf:
            case Code.Add_Ovf_Un: case Code.Sub_Ovf: case Code.Sub_Ovf_Un: case Code.Mul_Ovf: case Code.Mul_Ovf_Un: case Code.Div_Un:
            case Code.Rem_Un: case Code.And: case Code.Or: case Code.Xor: case Code.Shl: case Code.Shr:
            case Code.Shr_Un: case Code.Neg: case Code.Not: case Code.Ckfinite: case Code.Conv_I1: case Code.Conv_I2:
            case Code.Conv_I4: case Code.Conv_U1: case Code.Conv_U2: case Code.Conv_U4: case Code.Conv_Ovf_I1: case Code.Conv_Ovf_I2:
            case Code.Conv_Ovf_I4: case Code.Conv_Ovf_U1: case Code.Conv_Ovf_U2: case Code.Conv_Ovf_U4: case Code.Conv_Ovf_I1_Un: case Code.Conv_Ovf_I2_Un:
            case Code.Conv_Ovf_I4_Un: case Code.Conv_Ovf_U1_Un: case Code.Conv_Ovf_U2_Un: case Code.Conv_Ovf_U4_Un: case Code.Conv_I8: case Code.Conv_U8:
            case Code.Conv_Ovf_I8: case Code.Conv_Ovf_U8: case Code.Conv_Ovf_I8_Un: case Code.Conv_Ovf_U8_Un: case Code.Conv_I: case Code.Conv_U:
            case Code.Conv_Ovf_I: case Code.Conv_Ovf_U: case Code.Conv_Ovf_I_Un: case Code.Conv_Ovf_U_Un: case Code.Conv_R4: case Code.Conv_R8:
            case Code.Conv_R_Un: case Code.Ceq: case Code.Cgt: case Code.Cgt_Un: case Code.Clt: case Code.Clt_Un:
                return StepArithmetic(ins, s, code);
            case Code.Ldfld: case Code.Ldflda: case Code.Stfld: case Code.Ldsfld: case Code.Ldsflda: case Code.Stsfld:
                return StepFields(ins, s, code);
            case Code.Ldobj: case Code.Stobj: case Code.Cpobj: case Code.Initobj: case Code.Sizeof: case Code.Box:
            case Code.Unbox: case Code.Unbox_Any: case Code.Castclass: case Code.Isinst:
                return StepObjects(ins, s, code);
            case Code.Newarr: case Code.Ldlen: case Code.Ldelem_I1: case Code.Ldelem_U1: case Code.Ldelem_I2: case Code.Ldelem_U2:
            case Code.Ldelem_I4: case Code.Ldelem_U4: case Code.Ldelem_I8: case Code.Ldelem_I: case Code.Ldelem_R4: case Code.Ldelem_R8:
            case Code.Ldelem_Ref: case Code.Ldelem_Any: case Code.Ldelema: case Code.Stelem_I1: case Code.Stelem_I2: case Code.Stelem_I4:
            case Code.Stelem_I8: case Code.Stelem_I: case Code.Stelem_R4: case Code.Stelem_R8: case Code.Stelem_Ref: case Code.Stelem_Any:
                return StepArrays(ins, s, code);
            case Code.Leave_S: case Code.Leave: case Code.Throw: case Code.Rethrow: case Code.Endfinally: case Code.Endfilter:
                return StepExceptionHandling(ins, s, code);
            case Code.Ldtoken:
                return StepTokens(ins, s, code);
            default:
                throw Fail(Codes.UnverifiableOpcode, $"opcode {ins.OpCode.Name} is not supported");
        }
    }
}

using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>
/// Where paths join, states that disagree on a flag's value or on where their finally handlers
/// continue are kept apart (a bounded disjunction), so that `bool sent` and what was sent stay
/// correlated through the join and through a finally:
/// <code>try { ep.SendHi(1, b); sent = true; } finally { if (!sent) b.Free(); }</code>
/// A flag is a local int32 (bool, int, enum) of a method that handles tracked values, assigned a
/// constant somewhere and never address-taken (ldloca makes it unknown for the method); arguments
/// are never flags. At most <see cref="MaxDisjuncts"/> states per instruction: past that a path
/// joins the last state as one (today's join: flags that disagree are forgotten).
/// </summary>
internal sealed partial class MethodVerifier
{
    private const int MaxDisjuncts = 8;

    /// <summary>The flag locals (null: the method handles no tracked value, one state per instruction).</summary>
    private readonly int[] _flagLocals;

    /// <summary>Locals whose address is taken somewhere (ldloca): nothing is known of their value anywhere in the method.</summary>
    private readonly HashSet<int> _addressedLocals = new();

    private int[] FindFlagLocals()
    {
        foreach (var ins in _ins)
            if (ins.OpCode.Code is Code.Ldloca or Code.Ldloca_S)
                _addressedLocals.Add(ins.Operand switch { VariableDefinition v => v.Index, int n => n, sbyte b => b, byte u => u, _ => -1 });
        bool tracked = _argTypes.Any(t => _tr.IsTracked(TypeSystem.Strip(t is ByReferenceType br ? br.ElementType : t)))
            || _body.Variables.Any(v => _tr.IsTracked(TypeSystem.Strip(v.VariableType is ByReferenceType br ? br.ElementType : v.VariableType)));
        if (!tracked) return null;
        var candidates = new HashSet<int>();
        for (int i = 1; i < _ins.Length; i++)
            if (IsStloc(_ins[i], out int l) && IsLdcI4(_ins[i - 1])) candidates.Add(l);
        candidates.ExceptWith(_addressedLocals);
        return candidates.Where(l => l < _body.Variables.Count && FromType(_body.Variables[l].VariableType).K == VK.I4).OrderBy(l => l).ToArray();
    }

    private static bool IsLdcI4(Instruction i) => i.OpCode.Code is Code.Ldc_I4_M1 or Code.Ldc_I4_0 or Code.Ldc_I4_1 or Code.Ldc_I4_2 or Code.Ldc_I4_3
        or Code.Ldc_I4_4 or Code.Ldc_I4_5 or Code.Ldc_I4_6 or Code.Ldc_I4_7 or Code.Ldc_I4_8 or Code.Ldc_I4_S or Code.Ldc_I4;

    private static bool IsStloc(Instruction i, out int l)
    {
        l = i.OpCode.Code switch
        {
            Code.Stloc_0 => 0, Code.Stloc_1 => 1, Code.Stloc_2 => 2, Code.Stloc_3 => 3,
            Code.Stloc or Code.Stloc_S => i.Operand is VariableDefinition v ? v.Index : -1,
            _ => -1,
        };
        return l >= 0;
    }

    /// <summary>Are two states at one instruction the same disjunct: the same known flag values and the same finally continuation?</summary>
    private bool SameKey(State a, State b)
    {
        if (_flagLocals == null) return true;
        if (a.Cont != b.Cont) return false;
        foreach (int l in _flagLocals)
        {
            V x = a.L[l], y = b.L[l];
            if (x.Is(VF.Known) != y.Is(VF.Known) || (x.Is(VF.Known) && x.C != y.C)) return false;
        }
        return true;
    }

    // ----- finally continuations ------------------------------------------------------------------
    //
    // A path that enters a finally handler remembers where that handler continues: a leave pushes
    // one frame per finally it runs (the next finally out, or the leave's target), an exception one
    // "unwind" frame. Frames form an interned stack (Cont is its top; 0 none). endfinally pops the
    // top frame and goes on to its continuation only; paths merged with others whose continuation
    // differs (past the bound) have ContUnknown and go on to every exit of the handler.

    private const int ContUnknown = -1;
    private const int Unwind = -1;
    private readonly List<(int Handler, int Next, int Parent)> _contFrames = new() { (-1, -1, 0) };
    private readonly Dictionary<(int, int, int), int> _contIds = new();

    private int PushCont(int parent, int handler, int next)
    {
        if (parent == ContUnknown) return ContUnknown;
        var key = (handler, next, parent);
        if (_contIds.TryGetValue(key, out int id)) return id;
        id = _contFrames.Count;
        _contFrames.Add(key);
        _contIds[key] = id;
        return id;
    }
}

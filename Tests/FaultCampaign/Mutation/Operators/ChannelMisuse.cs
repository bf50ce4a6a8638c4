using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.FaultCampaign.Mutation.Operators;

/// <summary>
/// A channel or exchange block used against its protocol: a send made twice (variant 0, its
/// arguments pushed again), a receive, take or accept left out (variant 1), a block freed right
/// after it was stored in its local (variant 2). Most of these are what the verifier exists to
/// refuse; the campaign counts those as stopped at install time.
/// </summary>
public sealed class ChannelMisuse : IFaultOperator
{
    public FaultType Type => FaultType.ChannelMisuse;

    internal static bool IsReceive(MethodReference m) =>
        m.Name.StartsWith("Receive", StringComparison.Ordinal) || m.Name.StartsWith("Recv", StringComparison.Ordinal)
        || m.Name.StartsWith("Take", StringComparison.Ordinal) || m.Name == "Accept";

    private static bool IsSend(MethodReference m) => m.Name.StartsWith("Send", StringComparison.Ordinal) && m.ReturnType.MetadataType == MetadataType.Void;

    private static bool IsFree(MethodReference m) =>
        (m.Name is "Free" or "Dispose") && m.DeclaringType.Namespace.StartsWith("Singularity", StringComparison.Ordinal) && m.Parameters.Count == 0;

    public IEnumerable<MutationSite> Find(MethodDefinition method)
    {
        var code = method.Body.Instructions;
        for (int k = 0; k < code.Count; k++)
        {
            if (!IlEdit.IsCall(code[k]) || code[k].Operand is not MethodReference callee) continue;
            if (IsSend(callee) && ArgumentsArePushedAlone(method, k, callee))
                yield return new MutationSite(k, 0, $"{IlEdit.Short(callee)} sent twice");
            if (IsReceive(callee) && CallDeleted.CanDelete(callee))
                yield return new MutationSite(k, 1, $"{IlEdit.Short(callee)} skipped");
            if (IsFree(callee) && EarlyFreePoint(method, k) >= 0)
                yield return new MutationSite(k, 2, $"{IlEdit.Short(callee)} called right after the value is stored");
        }
    }

    private static bool ArgumentsArePushedAlone(MethodDefinition method, int call, MethodReference callee)
    {
        int n = IlEdit.CallPops(callee);
        if (call - n < 0) return false;
        for (int j = call - n; j < call; j++)
            if (!IlEdit.IsSimplePush(method.Body.Instructions[j]) || (j > call - n && IlEdit.IsTarget(method.Body, method.Body.Instructions[j]))) return false;
        return true;
    }

    /// <summary>The index of the first <c>stloc</c> of the local whose address the free is called on, or -1.</summary>
    private static int EarlyFreePoint(MethodDefinition method, int call)
    {
        var code = method.Body.Instructions;
        if (call == 0 || code[call - 1].OpCode.Code is not (Code.Ldloca or Code.Ldloca_S) || code[call - 1].Operand is not VariableDefinition v) return -1;
        for (int j = 0; j < call - 1; j++)
            if (code[j].OpCode.Code is Code.Stloc or Code.Stloc_S && code[j].Operand == v) return j + 1 < call - 1 ? j : -1;
        return -1;
    }

    public void Apply(MethodDefinition method, MutationSite site)
    {
        var code = method.Body.Instructions;
        var call = code[site.Index];
        var callee = (MethodReference)call.Operand;
        switch (site.Variant)
        {
            case 0:
                int n = IlEdit.CallPops(callee);
                var again = new List<Instruction>();
                for (int j = site.Index - n; j < site.Index; j++) again.Add(Copy(code[j]));
                again.Add(Copy(call));
                IlEdit.InsertAfter(method.Body, call, again);
                break;
            case 1:
                CallDeleted.Delete(method, site.Index);
                break;
            default:
                int at = EarlyFreePoint(method, site.Index);
                IlEdit.InsertAfter(method.Body, code[at], new[] { Copy(code[site.Index - 1]), Copy(call) });
                break;
        }
    }

    private static Instruction Copy(Instruction i)
    {
        var c = Instruction.Create(OpCodes.Nop);
        c.OpCode = i.OpCode;
        c.Operand = i.Operand;
        return c;
    }
}

using Mono.Cecil.Cil;
using Singularity.FaultCampaign.Mutation;

namespace Singularity.Tests.FaultCampaign;

/// <summary>Each fault type's edit, observed by running the mutated method (mutant off: the original behaviour).</summary>
public class OperatorTests
{
    private static (MutatedAssembly Asm, Mutant Mutant) One(string method, FaultType type, Func<Mutant, bool> pick = null)
    {
        var all = MutatedAssembly.Of(method, type);
        Assert.NotEmpty(all);
        var m = pick == null ? all[0] : all.First(pick);
        return (new MutatedAssembly(new[] { m }), m);
    }

    [Fact]
    public void BranchFlipTakesTheOtherSide()
    {
        var (asm, m) = One("Max", FaultType.BranchFlip);
        using (asm)
        {
            Assert.Equal(7, asm.Call(0, "Max", 7, 3));
            Assert.Equal(3, asm.Call(m.Id, "Max", 7, 3));
        }
    }

    [Fact]
    public void OffByOneChangesAConstantBothWays()
    {
        var all = MutatedAssembly.Of("AddTen", FaultType.OffByOne);
        using var asm = new MutatedAssembly(all);
        Assert.Equal(15, asm.Call(0, "AddTen", 5));
        Assert.Equal(16, asm.Call(all.Single(m => m.Variant == 0).Id, "AddTen", 5));
        Assert.Equal(14, asm.Call(all.Single(m => m.Variant == 1).Id, "AddTen", 5));
    }

    [Fact]
    public void OffByOneMovesALoopBound()
    {
        var (asm, m) = One("CountBelow", FaultType.OffByOne, x => x.Variant == 2);
        using (asm)
        {
            Assert.Equal(4, asm.Call(0, "CountBelow", 4));
            Assert.Equal(5, asm.Call(m.Id, "CountBelow", 4));
        }
    }

    [Fact]
    public void CallDeletedLeavesTheCallOut()
    {
        var (asm, m) = One("Remember", FaultType.CallDeleted, x => x.Description.Contains("Note"));
        using (asm)
        {
            Assert.Equal(1, asm.Call(0, "Remember", asm.New("Box"), 9));
            Assert.Equal(0, asm.Call(m.Id, "Remember", asm.New("Box"), 9));
        }
    }

    [Fact]
    public void StoreDeletedLeavesTheFieldAsItWas()
    {
        var (asm, m) = One("Store", FaultType.StoreDeleted, x => x.Description.Contains("Value"));
        using (asm)
        {
            Assert.Equal(5, asm.Call(0, "Store", asm.New("Box"), 5));
            Assert.Equal(0, asm.Call(m.Id, "Store", asm.New("Box"), 5));
        }
    }

    [Fact]
    public void ArgumentsSwappedPassesThemInTheOtherOrder()
    {
        var (asm, m) = One("Difference", FaultType.ArgumentsSwapped);
        using (asm)
        {
            Assert.Equal(6, asm.Call(0, "Difference", 9, 3));
            Assert.Equal(-6, asm.Call(m.Id, "Difference", 9, 3));
        }
    }

    [Fact]
    public void ValueReplacedByNullFailsTheUse()
    {
        var (asm, m) = One("LengthOf", FaultType.ValueReplaced, x => x.Description.Contains("null"));
        using (asm)
        {
            Assert.Equal(3, asm.Call(0, "LengthOf", "abc"));
            Assert.Throws<NullReferenceException>(() => asm.Call(m.Id, "LengthOf", "abc"));
        }
    }

    [Fact]
    public void ValueReplacedByZeroAndMinusOne()
    {
        var all = MutatedAssembly.Of("AddTen", FaultType.ValueReplaced);
        using var asm = new MutatedAssembly(all);
        Assert.Equal(10, asm.Call(all.Single(m => m.Variant == 0).Id, "AddTen", 5));
        Assert.Equal(9, asm.Call(all.Single(m => m.Variant == 1).Id, "AddTen", 5));
    }

    [Fact]
    public void EndlessLoopMakesTheBackEdgeUnconditional()
    {
        var m = MutatedAssembly.Of("Halve", FaultType.EndlessLoop).Single();
        var module = MutatedAssembly.Self().Read();
        MutantSchema.ApplySingle(module, m);
        var body = MutantSchema.Find(module, m.Method).Body;
        // No conditional branch backwards is left; an unconditional one goes back to the loop's test.
        Assert.DoesNotContain(body.Instructions, i => i.OpCode.FlowControl == FlowControl.Cond_Branch && ((Instruction)i.Operand).Offset < i.Offset);
        Assert.Contains(body.Instructions, i => i.OpCode.Code is Code.Br or Code.Br_S && ((Instruction)i.Operand).Offset < i.Offset);
        // And the original still halts.
        using var asm = new MutatedAssembly(new[] { m });
        Assert.Equal(3, asm.Call(0, "Halve", 8));
    }

    [Fact]
    public void ThrownExceptionReplacesTheCall()
    {
        var (asm, m) = One("Difference", FaultType.ThrownException);
        using (asm)
        {
            Assert.Equal(6, asm.Call(0, "Difference", 9, 3));
            var e = Assert.Throws<Exception>(() => asm.Call(m.Id, "Difference", 9, 3));
            Assert.Equal(typeof(Exception), e.GetType());
        }
    }

    [Fact]
    public void ManyMutantsInOneSchemaEachSwitchOnAlone()
    {
        var all = MutatedAssembly.Of("AddTen", FaultType.OffByOne).Concat(MutatedAssembly.Of("Max", FaultType.BranchFlip)).ToList();
        using var asm = new MutatedAssembly(all);
        foreach (var m in all)
        {
            bool inAddTen = m.Method.Contains("AddTen");
            Assert.Equal(inAddTen ? (m.Variant == 0 ? 16 : 14) : 15, asm.Call(m.Id, "AddTen", 5));
            Assert.Equal(inAddTen ? 7 : 3, asm.Call(m.Id, "Max", 7, 3));
        }
        Assert.Equal(15, asm.Call(0, "AddTen", 5));
        Assert.Equal(7, asm.Call(0, "Max", 7, 3));
    }

    [Fact]
    public void CatalogIsTheSameOnEveryRead()
    {
        var a = MutantCatalog.Enumerate(MutatedAssembly.Self().Read());
        var b = MutantCatalog.Enumerate(MutatedAssembly.Self().Read());
        Assert.Equal(a, b);
        Assert.Equal(Enumerable.Range(1, a.Count), a.Select(m => m.Id));
        // Every fault type but channel misuse (no channels here) has sites in the samples.
        foreach (var t in Enum.GetValues<FaultType>().Where(t => t != FaultType.ChannelMisuse))
            Assert.Contains(a, m => m.Type == t && m.Method.Contains("Samples::"));
    }
}

using Mono.Cecil;
using Mono.Cecil.Cil;
using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>Hand-written IL (Cecil) that no C# compiler emits: the type-safety rules of Partition III and the policy on opcodes.</summary>
public class CraftedRejectTests
{
    private static void AssertRejected(string dll, string code)
    {
        var r = Support.Verify(dll);
        Assert.True(r.ExitCode == 1, $"expected rejection with {code}, got exit {r.ExitCode}:\n{string.Join("\n", r.Violations)}");
        Assert.Contains(r.Violations, v => v.Code == code);
    }

    private static void Body(string code, Action<ModuleDefinition, MethodDefinition, ILProcessor> edit) => AssertRejected(Support.Craft(edit), code);

    private static MethodReference Method(ModuleDefinition m, string type, string name) => m.ImportReference(Support.Find(m, type, name));
    private static FieldReference Field(ModuleDefinition m, string type, string name) => m.ImportReference(m.Types.First(t => t.Name == type).Fields.First(f => f.Name == name));

    [Fact] public void Calli() => Body("SV0102", (m, md, il) => { il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Conv_I); il.Emit(OpCodes.Calli, new CallSite(m.TypeSystem.Void)); il.Emit(OpCodes.Ret); });
    [Fact] public void Jmp() => Body("SV0102", (m, md, il) => il.Emit(OpCodes.Jmp, Method(m, "Program", "Main")));
    [Fact] public void Cpblk() => Body("SV0102", (m, md, il) => { il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Cpblk); il.Emit(OpCodes.Ret); });
    [Fact] public void Initblk() => Body("SV0102", (m, md, il) => { il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Initblk); il.Emit(OpCodes.Ret); });
    [Fact] public void Arglist() => Body("SV0102", (m, md, il) => { il.Emit(OpCodes.Arglist); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });
    [Fact] public void Localloc() => Body("SV0102", (m, md, il) => { il.Emit(OpCodes.Ldc_I4_8); il.Emit(OpCodes.Localloc); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });
    [Fact] public void StindThroughNativeInt() => Body("SV0102", (m, md, il) => { il.Emit(OpCodes.Ldc_I8, 0x1000L); il.Emit(OpCodes.Conv_I); il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Stind_I4); il.Emit(OpCodes.Ret); });

    [Fact] public void LdtokenOfMethodIsReflection() => Body("SV0108", (m, md, il) => { il.Emit(OpCodes.Ldtoken, Method(m, "Program", "Main")); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });
    [Fact] public void LdtokenOfFieldIsReflection() => Body("SV0108", (m, md, il) => { il.Emit(OpCodes.Ldtoken, Field(m, "Box", "W")); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });

    [Fact]
    public void InternalCorlibApiIsInaccessible() => Body("SV0109", (m, md, il) =>
    {
        var unsafeType = Support.CorDef("System.Runtime.CompilerServices.Unsafe");
        var sizeOf = unsafeType.Methods.First(x => x.Name == "SizeOf");
        var gm = new GenericInstanceMethod(m.ImportReference(sizeOf));
        gm.GenericArguments.Add(m.TypeSystem.Int32);
        il.Emit(OpCodes.Call, gm); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    });

    [Fact] public void PrivateMemberOfAnotherType() => Body("SV0109", (m, md, il) => { il.Emit(OpCodes.Newobj, Method(m, "Box", ".ctor")); il.Emit(OpCodes.Call, Method(m, "Box", "Secret")); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });

    [Fact]
    public void SkipLocalsInit() => Body("SV0111", (m, md, il) =>
    {
        md.Body.Variables.Add(new VariableDefinition(m.TypeSystem.Object));
        md.Body.InitLocals = false;
        il.Emit(OpCodes.Ldloc_0); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    });

    [Fact]
    public void RefField() => Body("SV0113", (m, md, il) =>
    {
        var t = new TypeDefinition("", "R", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.SequentialLayout, m.ImportReference(Support.Cor(m, "System.ValueType")));
        t.Fields.Add(new FieldDefinition("X", FieldAttributes.Public, new ByReferenceType(m.TypeSystem.Int32)));
        m.Types.Add(t);
        il.Emit(OpCodes.Ret);
    });

    // ----- type safety --------------------------------------------------------------------------

    [Fact] public void StackUnderflow() => Body("SV0201", (m, md, il) => { il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });

    [Fact]
    public void StackOverflow()
    {
        var dll = Support.Craft((m, md, il) =>
        {
            md.Body.Variables.Add(new VariableDefinition(m.TypeSystem.Int32));   // a fat header, whose max stack we then lower
            il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Ldc_I4_2); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
        });
        Support.PatchMaxStack(dll, "Program", "Crafted", 1);
        AssertRejected(dll, "SV0202");
    }

    [Fact]
    public void IncompatibleMerge() => Body("SV0203", (m, md, il) =>
    {
        var join = il.Create(OpCodes.Pop);
        var other = il.Create(OpCodes.Ldstr, "x");
        il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Brtrue, other);
        il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Br, join);
        il.Append(other);
        il.Append(join);
        il.Emit(OpCodes.Ret);
    });

    [Fact]
    public void StackHeightMerge() => Body("SV0203", (m, md, il) =>
    {
        var join = il.Create(OpCodes.Ret);
        il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Brtrue, join);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Append(join);
    });

    [Fact]
    public void BranchIntoTheMiddleOfAnInstruction() => Body("SV0204", (m, md, il) =>
    {
        var bogus = Instruction.Create(OpCodes.Nop);
        bogus.Offset = 1;   // inside the ldc.i4 below
        il.Emit(OpCodes.Ldc_I4, 0x12345678); il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Br, bogus);
    });

    [Fact] public void FallsOffTheEnd() => Body("SV0205", (m, md, il) => { il.Emit(OpCodes.Nop); });
    [Fact] public void AddStringAndInt() => Body("SV0206", (m, md, il) => { il.Emit(OpCodes.Ldstr, "a"); il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Add); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });
    [Fact] public void ObjectRefAsNumber() => Body("SV0206", (m, md, il) => { il.Emit(OpCodes.Ldstr, "a"); il.Emit(OpCodes.Conv_I8); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });
    [Fact] public void IntPassedAsString() => Body("SV0207", (m, md, il) => { il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Call, Method(m, "Program", "TakesString")); il.Emit(OpCodes.Ret); });
    [Fact] public void WrongReceiver() => Body("SV0207", (m, md, il) => { il.Emit(OpCodes.Newobj, Method(m, "Other", ".ctor")); il.Emit(OpCodes.Ldstr, "s"); il.Emit(OpCodes.Callvirt, Method(m, "Box", "Take")); il.Emit(OpCodes.Ret); });

    [Fact]
    public void ReturnsIntAsString() => Body("SV0208", (m, md, il) => { md.ReturnType = m.TypeSystem.String; il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ret); });
    [Fact] public void VoidReturnWithValue() => Body("SV0208", (m, md, il) => { il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ret); });

    [Fact] public void FieldOfWrongObject() => Body("SV0209", (m, md, il) => { il.Emit(OpCodes.Newobj, Method(m, "Other", ".ctor")); il.Emit(OpCodes.Ldfld, Field(m, "Box", "W")); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });
    [Fact] public void StaticAccessOfInstanceField() => Body("SV0209", (m, md, il) => { il.Emit(OpCodes.Ldsfld, Field(m, "Box", "W")); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });
    [Fact] public void StoreStringIntoIntField() => Body("SV0209", (m, md, il) => { il.Emit(OpCodes.Newobj, Method(m, "Box", ".ctor")); il.Emit(OpCodes.Ldstr, "x"); il.Emit(OpCodes.Stfld, Field(m, "Box", "W")); il.Emit(OpCodes.Ret); });

    [Fact] public void LdelemOnNonArray() => Body("SV0210", (m, md, il) => { il.Emit(OpCodes.Ldstr, "x"); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ldelem_I4); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });
    [Fact] public void LdelemWrongElementType() => Body("SV0210", (m, md, il) => { il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Newarr, m.TypeSystem.Int32); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ldelem_Ref); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });

    [Fact] public void UnboxFromInt() => Body("SV0211", (m, md, il) => { il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Unbox_Any, m.TypeSystem.Int32); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });
    [Fact] public void CastclassOfInt() => Body("SV0211", (m, md, il) => { il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Castclass, m.TypeSystem.String); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });

    [Fact]
    public void ReturnsRefToLocal() => Body("SV0212", (m, md, il) =>
    {
        md.ReturnType = new ByReferenceType(m.TypeSystem.Int32);
        md.Body.Variables.Add(new VariableDefinition(m.TypeSystem.Int32));
        il.Emit(OpCodes.Ldloca_S, md.Body.Variables[0]); il.Emit(OpCodes.Ret);
    });

    [Fact]
    public void ReturnsRefToLocalThroughARefLocal() => Body("SV0212", (m, md, il) =>
    {
        md.ReturnType = new ByReferenceType(m.TypeSystem.Int32);
        md.Body.Variables.Add(new VariableDefinition(m.TypeSystem.Int32));
        md.Body.Variables.Add(new VariableDefinition(new ByReferenceType(m.TypeSystem.Int32)));
        il.Emit(OpCodes.Ldloca_S, md.Body.Variables[0]); il.Emit(OpCodes.Stloc_1); il.Emit(OpCodes.Ldloc_1); il.Emit(OpCodes.Ret);
    });

    [Fact] public void WriteThroughReadonlyStaticAddress() => Body("SV0212", (m, md, il) => { il.Emit(OpCodes.Ldsflda, Field(m, "Box", "Zero")); il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Stind_I4); il.Emit(OpCodes.Ret); });

    [Fact]
    public void ThisUsedBeforeBaseConstructor() => Body("SV0213", (m, md, il) =>
    {
        var ctor = Support.Find(m, "Other", ".ctor");
        ctor.Body.Instructions.Clear();
        var cil = ctor.Body.GetILProcessor();
        cil.Emit(OpCodes.Ldarg_0); cil.Emit(OpCodes.Callvirt, m.ImportReference(Support.CorDef("System.Object").Methods.First(x => x.Name == "ToString"))); cil.Emit(OpCodes.Pop);
        cil.Emit(OpCodes.Ldarg_0); cil.Emit(OpCodes.Call, m.ImportReference(Support.CorDef("System.Object").Methods.First(x => x.Name == ".ctor"))); cil.Emit(OpCodes.Ret);
        il.Emit(OpCodes.Ret);
    });

    [Fact]
    public void ConstructorWithoutBaseCall() => Body("SV0213", (m, md, il) =>
    {
        var ctor = Support.Find(m, "Other", ".ctor");
        ctor.Body.Instructions.Clear();
        ctor.Body.GetILProcessor().Emit(OpCodes.Ret);
        il.Emit(OpCodes.Ret);
    });

    [Fact] public void ArgumentOutOfRange() => Body("SV0214", (m, md, il) => { il.Emit(OpCodes.Ldarg_3); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });

    [Fact]
    public void LocalOutOfRange() => Body("SV0214", (m, md, il) =>
    {
        md.Body.Variables.Add(new VariableDefinition(m.TypeSystem.Int32));
        il.Emit(OpCodes.Ldloc_2); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    });

    [Fact]
    public void RetInsideTry() => Body("SV0215", (m, md, il) =>
    {
        var tryStart = il.Create(OpCodes.Nop); var tryRet = il.Create(OpCodes.Ret);
        var hStart = il.Create(OpCodes.Endfinally); var after = il.Create(OpCodes.Ret);
        il.Append(tryStart); il.Append(tryRet); il.Append(hStart); il.Append(after);
        md.Body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Finally) { TryStart = tryStart, TryEnd = hStart, HandlerStart = hStart, HandlerEnd = after });
    });

    [Fact] public void EndfinallyOutsideFinally() => Body("SV0215", (m, md, il) => { il.Emit(OpCodes.Endfinally); });
    [Fact] public void RethrowOutsideCatch() => Body("SV0215", (m, md, il) => { il.Emit(OpCodes.Rethrow); });

    [Fact]
    public void BranchIntoTheMiddleOfATry() => Body("SV0204", (m, md, il) =>
    {
        var tryStart = il.Create(OpCodes.Nop); var inside = il.Create(OpCodes.Nop); var hStart = il.Create(OpCodes.Endfinally); var after = il.Create(OpCodes.Ret);
        var leave = il.Create(OpCodes.Leave, after);
        il.Emit(OpCodes.Br, inside);
        il.Append(tryStart); il.Append(inside); il.Append(leave); il.Append(hStart); il.Append(after);
        md.Body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Finally) { TryStart = tryStart, TryEnd = hStart, HandlerStart = hStart, HandlerEnd = after });
    });

    [Fact] public void NewobjOfAbstractClass() => Body("SV0216", (m, md, il) => { il.Emit(OpCodes.Newobj, Method(m, "Shape", ".ctor")); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });
    [Fact] public void CallvirtOfStatic() => Body("SV0216", (m, md, il) => { il.Emit(OpCodes.Ldnull); il.Emit(OpCodes.Callvirt, Method(m, "Shape", "Count")); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });
    [Fact] public void NonVirtualCallOfAbstract() => Body("SV0216", (m, md, il) => { il.Emit(OpCodes.Newobj, Method(m, "Box", ".ctor")); il.Emit(OpCodes.Call, Method(m, "Shape", "Area")); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); });

    [Fact]
    public void DelegateToMismatchedMethod() => Body("SV0217", (m, md, il) =>
    {
        var action = Support.CorDef("System.Action");
        il.Emit(OpCodes.Ldnull); il.Emit(OpCodes.Ldftn, Method(m, "Program", "TakesInt"));
        il.Emit(OpCodes.Newobj, m.ImportReference(action.Methods.First(x => x.IsConstructor)));
        il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    });

    [Fact]
    public void DelegateFromArbitraryNumber() => Body("SV0217", (m, md, il) =>
    {
        var action = Support.CorDef("System.Action");
        il.Emit(OpCodes.Ldnull); il.Emit(OpCodes.Ldc_I4, 0x1234); il.Emit(OpCodes.Conv_I);
        il.Emit(OpCodes.Newobj, m.ImportReference(action.Methods.First(x => x.IsConstructor)));
        il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    });

    [Fact] public void WriteReadonlyFieldOutsideConstructor() => Body("SV0218", (m, md, il) => { il.Emit(OpCodes.Newobj, Method(m, "Box", ".ctor")); il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Stfld, Field(m, "Box", "H")); il.Emit(OpCodes.Ret); });
    [Fact] public void WriteReadonlyStaticOutsideCctor() => Body("SV0218", (m, md, il) => { il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Stsfld, Field(m, "Box", "Zero")); il.Emit(OpCodes.Ret); });

    [Fact]
    public void CraftedBaselineVerifies()
    {
        var dll = Support.Craft((m, md, il) => il.Emit(OpCodes.Ret));
        var r = Support.Verify(dll);
        Assert.True(r.Verified, string.Join("\n", r.Violations));
    }
}

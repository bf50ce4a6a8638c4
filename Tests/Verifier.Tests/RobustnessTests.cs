using System.Buffers.Binary;
using System.Reflection.Metadata.Ecma335;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Singularity.Verifier;
using Singularity.Verifier.Fuzz;
using Singularity.Verifier.Fuzz.Grammar;

namespace Singularity.Tests.Verifier;

/// <summary>
/// Exit codes that mean one thing (1: a readable assembly that breaks a rule, with every code
/// found; 2: input that is not a readable assembly), and the cases the fuzzer found: each was an
/// exception inside the verifier (SV0005), a crash, or invalid IL admitted, before its fix.
/// </summary>
public class RobustnessTests
{
    private static string Dump(VerificationResult r) => $"exit {r.ExitCode}:\n{string.Join("\n", r.Violations)}";

    private static void AssertNoInternalError(VerificationResult r)
    {
        Assert.True(r.InternalError == null, "internal error: " + r.InternalError);
        Assert.DoesNotContain(r.Violations, v => v.Code == Codes.InternalError);
    }

    // ----- a foreign core library: SV0107, exit 1 (it was SV0002, exit 2) ----------------------

    [Fact]
    public void BuiltAgainstDotNetsCoreLibrary()
    {
        // Compiled against the host's System.Private.CoreLib instead of Singularity.Corlib.
        var dir = Support.NewDir();
        var path = Path.Combine(dir, "Foreign.dll");
        var comp = CSharpCompilation.Create("Foreign", new[] { CSharpSyntaxTree.ParseText("public static class P { public static int F() => 1; }") },
            new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location) }, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using (var fs = File.Create(path)) Assert.True(comp.Emit(fs).Success);
        var r = Support.Verify(path);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 1, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.ForbiddenAssembly && v.Message.Contains("System.Private.CoreLib"));
        Assert.Contains(r.Violations, v => v.Code == Codes.ForbiddenAssembly && v.Message.Contains("does not reference the SIP core library"));
    }

    [Fact]
    public void CoreLibraryRenamedToMscorlib()
    {
        var src = Support.Compile("Renamed", "public static class P { public static int F() => 1; }");
        var outPath = Path.Combine(Path.GetDirectoryName(src), "RenamedOut.dll");
        using (var m = ModuleDefinition.ReadModule(src))
        {
            m.AssemblyReferences.Single(a => a.Name == "Singularity.Corlib").Name = "mscorlib";
            m.Write(outPath);
        }
        var r = Support.Verify(outPath);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 1, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.ForbiddenAssembly && v.Message.Contains("mscorlib"));
    }

    [Fact]
    public void ForeignReferenceBesideTheCoreLibraryHidesNothing()
    {
        // P.A uses a type of System.Runtime; P.B breaks another rule. Both are reported, exit 1.
        var src = Support.Compile("Mixed", "public static class P { private static int s_n; public static void A() { } public static void B() { s_n++; } }");
        var outPath = Path.Combine(Path.GetDirectoryName(src), "MixedOut.dll");
        using (var m = ModuleDefinition.ReadModule(src, new ReaderParameters { AssemblyResolver = new Support.Resolver(Path.GetDirectoryName(src)) }))
        {
            CecilCoreLibrary.Fix(m);
            var sr = new AssemblyNameReference("System.Runtime", new Version(10, 0, 0, 0));
            m.AssemblyReferences.Add(sr);
            var sb = new TypeReference("System.Text", "StringBuilder", m, sr);
            var ctor = new MethodReference(".ctor", m.TypeSystem.Void, sb) { HasThis = true };
            var a = Support.Find(m, "P", "A");
            a.Body.Instructions.Clear();
            var il = a.Body.GetILProcessor();
            il.Emit(OpCodes.Newobj, ctor); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
            m.Write(outPath);
        }
        var r = Support.Verify(outPath);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 1, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.ForbiddenAssembly && v.Where == "Mixed" && v.Message.Contains("System.Runtime"));
        Assert.Contains(r.Violations, v => v.Code == Codes.ForbiddenAssembly && v.Where == "P::A");
        Assert.Contains(r.Violations, v => v.Code == Codes.MutableStatic && v.Where == "P::s_n");
    }

    // ----- one corrupt method hides nothing else ------------------------------------------------

    private const string WithMutableStatic = Support.BaseSource + "\npublic static class Counter { public static int S; }\n";

    [Fact]
    public void CallWhoseTokenNamesAFieldIsACorruptBody()
    {
        // Cecil reads `call <field token>` as a call whose operand is a field; the verifier cast it and threw.
        var dll = Support.Craft((m, md, il) =>
        {
            il.Emit(OpCodes.Call, m.ImportReference(Support.Find(m, "Program", "Main")));
            il.Emit(OpCodes.Pop);
            il.Emit(OpCodes.Ret);
        }, WithMutableStatic);
        uint field;
        using (var m = ModuleDefinition.ReadModule(dll, new ReaderParameters { AssemblyResolver = new Support.Resolver(Path.GetDirectoryName(dll)) }))
            field = m.Types.First(t => t.Name == "Box").Fields.First(f => f.Name == "W").MetadataToken.ToUInt32();
        PatchFirstCallToken(dll, "Crafted", field);
        var r = Support.Verify(dll);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 2, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.CorruptBody && v.Where == "Program::Crafted" && v.Message.Contains("names no method"));
        // The rest of the assembly is still verified.
        Assert.Contains(r.Violations, v => v.Code == Codes.MutableStatic && v.Where == "Counter::S");
    }

    [Fact]
    public void CallWhoseTokenNamesNoRowIsACorruptBody()
    {
        // A MemberRef token past the end of its table: Cecil gives a null operand.
        var dll = Support.Craft((m, md, il) =>
        {
            il.Emit(OpCodes.Call, m.ImportReference(Support.Find(m, "Program", "Main")));
            il.Emit(OpCodes.Pop);
            il.Emit(OpCodes.Ret);
        }, WithMutableStatic);
        PatchFirstCallToken(dll, "Crafted", 0x0A00FFFF);
        var r = Support.Verify(dll);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 2, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.CorruptBody && v.Where == "Program::Crafted");
        Assert.Contains(r.Violations, v => v.Code == Codes.MutableStatic && v.Where == "Counter::S");
    }

    /// <summary>Rewrites the token of the first call in Program::<paramref name="method"/> in the file.</summary>
    private static void PatchFirstCallToken(string dll, string method, uint token)
    {
        var bytes = File.ReadAllBytes(dll);
        var layout = MetadataLayout.Read(bytes);
        int row;
        using (var m = ModuleDefinition.ReadModule(dll, new ReaderParameters { AssemblyResolver = new Support.Resolver(Path.GetDirectoryName(dll)) }))
            row = (int)Support.Find(m, "Program", method).MetadataToken.RID;
        var body = layout.Bodies.Single(b => b.MethodRow == row);
        int at = Array.IndexOf(bytes, (byte)0x28, body.CodeOffset);   // call
        Assert.InRange(at, body.CodeOffset, body.CodeOffset + body.CodeSize - 5);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 1), token);
        File.WriteAllBytes(dll, bytes);
    }

    // ----- corrupt tables: unusable input, never a crash -----------------------------------------

    [Fact]
    public void NestedTypeCycleIsUnusableInput()
    {
        // A type made its own enclosing type overflowed Cecil's stack (the process died).
        var dll = Support.Compile("Nested", "public class Outer { public class Inner { public int X; } }");
        var bytes = File.ReadAllBytes(dll);
        var layout = MetadataLayout.Read(bytes);
        var nested = layout.Tables[TableIndex.NestedClass];
        var col = nested.Columns.Single(c => c.Name == "EnclosingClass");
        var self = nested.Columns.Single(c => c.Name == "NestedClass");
        int rowAt = nested.RowOffset(1);
        Array.Copy(bytes, rowAt + self.Offset, bytes, rowAt + col.Offset, col.Size);
        File.WriteAllBytes(dll, bytes);
        var r = Support.Verify(dll);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 2, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.NotAnAssembly && v.Message.Contains("nested types form a cycle"));
    }

    [Fact]
    public void AttributeWithoutConstructorIsUnusableInput()
    {
        // A CustomAttribute row whose Type coded index has an unused tag: Cecil gives no constructor.
        var dll = Support.Compile("Attr", "public sealed class MarkAttribute : System.Attribute { } [Mark] public static class P { public static int F() => 1; }");
        var bytes = File.ReadAllBytes(dll);
        var layout = MetadataLayout.Read(bytes);
        var ca = layout.Tables[TableIndex.CustomAttribute];
        var type = ca.Columns.Single(c => c.Name == "Type");
        for (int row = 1; row <= ca.Rows; row++)
        {
            int at = ca.RowOffset(row) + type.Offset;
            if (type.Size == 2) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), (ushort)((1 << 3) | 0));
            else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), (1u << 3) | 0);
        }
        File.WriteAllBytes(dll, bytes);
        var r = Support.Verify(dll);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 2, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.NotAnAssembly && v.Message.Contains("names no constructor"));
    }

    // ----- invalid IL the verifier admitted (ilc refused it) -------------------------------------

    [Fact]
    public void FallingIntoATryWithAValueOnTheStack() =>
        AssertRejected(Support.Craft((m, md, il) =>
        {
            var end = il.Create(OpCodes.Ret);
            il.Emit(OpCodes.Ldc_I4_1);                       // stays on the stack
            var tryStart = il.Create(OpCodes.Leave, end);
            il.Append(tryStart);
            var handler = il.Create(OpCodes.Pop);
            il.Append(handler);
            il.Emit(OpCodes.Leave, end);
            il.Append(end);
            md.Body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Catch)
            {
                TryStart = tryStart, TryEnd = handler, HandlerStart = handler, HandlerEnd = end, CatchType = Support.Cor(m, "System.Exception"),
            });
        }), Codes.ExceptionRegion);

    [Fact]
    public void CodeAfterAFinallyWithAJoinInsideIsVerified()
    {
        // try { try { } finally { } } finally { leave L; L: } then a read through address 0x1000.
        // The leave's new exit re-walked the outer finally only from its start; the walk stopped
        // at the unchanged join L, its endfinally never flowed to the code after, and that code
        // (the pointer read) was never verified: admitted.
        GIns I(OpCode o, object a = null) => new(o, a);
        var p = new GProgram
        {
            Locals = new() { Ty.I4 },
            Code = new()
            {
                I(OpCodes.Ldloc_S, new LocalRef(0)), I(OpCodes.Ldc_I4, 7), I(OpCodes.And), I(OpCodes.Newarr, Sym.TInt32), I(OpCodes.Newobj, Sym.MObjCtor), I(OpCodes.Newobj, Sym.MObjCtor),
                I(OpCodes.Callvirt, Sym.MObjEquals), I(OpCodes.Ldelema, Sym.TInt32), I(OpCodes.Ldarg_S, new ArgRef(0)), I(OpCodes.Stind_I4),
                I(OpCodes.Leave, new Target(12)),                                       // 10: inner try
                I(OpCodes.Endfinally),                                                  // 11: inner finally
                I(OpCodes.Nop), I(OpCodes.Leave, new Target(17)),                       // 12-13: outer try
                I(OpCodes.Leave, new Target(15)), I(OpCodes.Nop), I(OpCodes.Endfinally), // 14-16: outer finally, a join at 15
                I(OpCodes.Ldc_I4, 4096), I(OpCodes.Conv_I), I(OpCodes.Ldind_I4), I(OpCodes.Ret),
            },
            Handlers = new() { new GHandler(HandlerKind.Finally, 10, 11, 11, 12, Sym.TObject), new GHandler(HandlerKind.Finally, 10, 14, 14, 17, Sym.TObject) },
        };
        var dll = Path.Combine(Support.NewDir(), "AfterFinally.dll");
        File.WriteAllBytes(dll, Emitter.Single(p));
        AssertRejected(dll, Codes.UnverifiableOpcode);
    }

    private static void AssertRejected(string dll, string code)
    {
        var r = Support.Verify(dll);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 1, $"expected rejection with {code}, got {Dump(r)}");
        Assert.Contains(r.Violations, v => v.Code == code);
    }
}

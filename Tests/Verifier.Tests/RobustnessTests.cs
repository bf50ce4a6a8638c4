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

    [Fact]
    public void TypeNestedTwiceIsUnusableInput()
    {
        // Two NestedClass rows for one type (and the table no longer sorted): Cecil overflowed its stack.
        var dll = Support.Compile("Nested2", "public class Outer { public class A { } public class B { } }");
        var bytes = File.ReadAllBytes(dll);
        var nested = MetadataLayout.Read(bytes).Tables[TableIndex.NestedClass];
        var col = nested.Columns.Single(c => c.Name == "NestedClass");
        Array.Copy(bytes, nested.RowOffset(1) + col.Offset, bytes, nested.RowOffset(2) + col.Offset, col.Size);
        File.WriteAllBytes(dll, bytes);
        var r = Support.Verify(dll);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 2, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.NotAnAssembly && v.Message.Contains("nested in two types"));
    }

    [Fact]
    public void HugeDebugDirectoryIsUnusableInput()
    {
        // A debug directory of megabytes: Cecil read it entry by entry for minutes.
        var dll = Support.Compile("Debug", "public static class P { public static int F() => 1; }");
        var bytes = File.ReadAllBytes(dll);
        int entry;
        using (var pe = new System.Reflection.PortableExecutable.PEReader(new MemoryStream(bytes)))
        {
            var h = pe.PEHeaders;
            int directories = h.PEHeaderStartOffset + (h.PEHeader.Magic == System.Reflection.PortableExecutable.PEMagic.PE32Plus ? 112 : 96);
            entry = directories + 6 * 8;   // IMAGE_DIRECTORY_ENTRY_DEBUG
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(entry), h.PEHeader.CorHeaderTableDirectory.RelativeVirtualAddress);   // some RVA inside .text
        }
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(entry + 4), 0x4c001c);
        File.WriteAllBytes(dll, bytes);
        var r = Support.Verify(dll);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 2, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.NotAnAssembly && v.Message.Contains("debug directory"));
    }

    [Fact]
    public void LdstrPastTheStringHeapIsACorruptBody()
    {
        // Cecil allocates the length it reads at the token's offset (a gigabyte, from the middle of the heap).
        var dll = Support.Craft((m, md, il) => { il.Emit(OpCodes.Ldstr, "x"); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret); }, WithMutableStatic);
        var bytes = File.ReadAllBytes(dll);
        var layout = MetadataLayout.Read(bytes);
        int row;
        using (var m = ModuleDefinition.ReadModule(dll, new ReaderParameters { AssemblyResolver = new Support.Resolver(Path.GetDirectoryName(dll)) }))
            row = (int)Support.Find(m, "Program", "Crafted").MetadataToken.RID;
        var body = layout.Bodies.Single(b => b.MethodRow == row);
        Assert.Equal(0x72, bytes[body.CodeOffset]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(body.CodeOffset + 1), 0x70fffff0);
        File.WriteAllBytes(dll, bytes);
        var r = Support.Verify(dll);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 2, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.CorruptBody && v.Where == "Program::Crafted" && v.Message.Contains("string heap"));
        Assert.Contains(r.Violations, v => v.Code == Codes.MutableStatic && v.Where == "Counter::S");
    }

    [Fact]
    public void TypeSpecificationNamingItselfIsUnusableInput()
    {
        // G<int>'s TypeSpec made an instantiation of itself: Cecil would read it while reading it.
        var dll = Support.Compile("Spec", "public class G<T> { } public static class P { public static object F() => new G<int>(); }");
        var bytes = File.ReadAllBytes(dll);
        int at;
        using (var pe = new System.Reflection.PortableExecutable.PEReader(new MemoryStream(bytes)))
        {
            var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            Assert.Equal(1, md.GetTableRowCount(TableIndex.TypeSpec));
            var blob = md.GetTypeSpecification(MetadataTokens.TypeSpecificationHandle(1)).Signature;
            at = pe.PEHeaders.MetadataStartOffset + md.GetHeapMetadataOffset(System.Reflection.Metadata.Ecma335.HeapIndex.Blob) + MetadataTokens.GetHeapOffset(blob) + 1;
        }
        Assert.Equal(0x15, bytes[at]);            // GENERICINST
        Assert.Equal(0x12, bytes[at + 1]);        // CLASS
        bytes[at + 2] = (1 << 2) | 2;             // the generic type: TypeSpec row 1, itself
        File.WriteAllBytes(dll, bytes);
        var r = Support.Verify(dll);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 2, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.NotAnAssembly && v.Message.Contains("names itself"));
    }

    [Fact]
    public void MetadataStreamPastTheMetadataIsUnusableInput()
    {
        // The stream count's high bit set: 133 stream headers, read from what follows (System.Reflection.Metadata
        // ignores the ones it does not know); Cecil took minutes. A SIP the build made, as the fuzzer found it.
        var built = Path.Combine(Support.Root, "Tests", "TestSips", "EchoService", "bin", "Release", "net10.0", "EchoService.dll");
        var dll = Path.Combine(Support.NewDir(), "EchoService.dll");
        File.Copy(built, dll);
        var bytes = File.ReadAllBytes(dll);
        int root;
        using (var pe = new System.Reflection.PortableExecutable.PEReader(new MemoryStream(bytes))) root = pe.PEHeaders.MetadataStartOffset;
        int versionLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(root + 12));
        int count = root + 16 + versionLength + 2;
        Assert.Equal(5, bytes[count]);
        bytes[count] |= 0x80;
        File.WriteAllBytes(dll, bytes);
        var r = Support.Verify(dll);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 2, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.NotAnAssembly && v.Message.Contains("metadata stream"));
    }

    [Fact]
    public void LdtokenOfATypeIsReflection() =>
        // Admitted before; ilc then failed the whole SIP (the core library has no LdTokenHelpers).
        AssertRejected(Support.Craft((m, md, il) =>
        {
            il.Emit(OpCodes.Ldtoken, m.Types.First(t => t.Name == "Box"));
            il.Emit(OpCodes.Pop);
            il.Emit(OpCodes.Ret);
        }), Codes.Reflection);

    [Fact]
    public void ABaseTypeOrInterfaceThatNamesNoTypeIsAnInvalidType()
    {
        // The fuzzer pointed TypeDef.Extends at a TypeSpec (an array): the type rules dereferenced
        // the missing definition (SV0005). Now the type is refused as no type (SV0233), and so is
        // an "interface" that is an array; a class deriving from the broken one is still verified.
        AssertRejected(Support.Craft((m, md, il) =>
        {
            il.Emit(OpCodes.Ret);
            var box = m.Types.First(t => t.Name == "Box");
            box.BaseType = new ArrayType(m.TypeSystem.Int32);
            var other = m.Types.First(t => t.Name == "Other");
            other.Interfaces.Add(new InterfaceImplementation(new ArrayType(m.TypeSystem.Object)));
        }), Codes.InvalidType);
    }

    // ----- invalid IL the verifier admitted (ilc refused it) -------------------------------------

    [Fact]
    public void TwoFinallyClausesSharingAHandler()
    {
        // Two clauses with one try block and one finally handler: the data-flow pass never left the
        // shared handler, so the code after it (here a read through address 0x1000) went unverified.
        var dll = Support.Craft((m, md, il) =>
        {
            var after = il.Create(OpCodes.Ldc_I4, 4096);
            var tryStart = il.Create(OpCodes.Leave, after);
            var handler = il.Create(OpCodes.Endfinally);
            il.Append(tryStart);
            il.Append(handler);
            il.Append(after);
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Ldind_I4);
            il.Emit(OpCodes.Pop);
            il.Emit(OpCodes.Ret);
            for (int k = 0; k < 2; k++)
                md.Body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Finally) { TryStart = tryStart, TryEnd = handler, HandlerStart = handler, HandlerEnd = after });
        });
        var r = Support.Verify(dll);
        AssertNoInternalError(r);
        Assert.True(r.ExitCode == 1, Dump(r));
        Assert.Contains(r.Violations, v => v.Code == Codes.ExceptionRegion && v.Message.Contains("share one handler"));
    }

    [Fact]
    public void OverlappingTryBlocks() =>
        AssertRejected(Support.Craft((m, md, il) =>
        {
            // try blocks [0, 2) and [1, 3): neither holds the other.
            var end = il.Create(OpCodes.Ret);
            var a = il.Create(OpCodes.Nop);
            var b = il.Create(OpCodes.Nop);
            var c = il.Create(OpCodes.Leave, end);
            var h1 = il.Create(OpCodes.Endfinally);
            var h2 = il.Create(OpCodes.Endfinally);
            foreach (var x in new[] { a, b, c, h1, h2, end }) il.Append(x);
            md.Body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Finally) { TryStart = a, TryEnd = c, HandlerStart = h1, HandlerEnd = h2 });
            md.Body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Finally) { TryStart = b, TryEnd = h1, HandlerStart = h2, HandlerEnd = end });
        }), Codes.ExceptionRegion);

    [Fact]
    public void CatchHandlerBeginningWithATry() =>
        AssertRejected(Support.Craft((m, md, il) =>
        {
            // try { leave end } catch (Exception) { try { leave end2 } catch { pop; leave end2 } end2: leave end } end: ret
            // The outer handler's first instruction starts the inner try: entered with the exception on the stack.
            var end = il.Create(OpCodes.Ret);
            var end2 = il.Create(OpCodes.Leave, end);
            var outerTry = il.Create(OpCodes.Leave, end);
            var innerTry = il.Create(OpCodes.Leave, end2);
            var innerHandler = il.Create(OpCodes.Pop);
            il.Append(outerTry);
            il.Append(innerTry);
            il.Append(innerHandler);
            il.Emit(OpCodes.Leave, end2);
            il.Append(end2);
            il.Append(end);
            var ex = Support.Cor(m, "System.Exception");
            md.Body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Catch) { TryStart = innerTry, TryEnd = innerHandler, HandlerStart = innerHandler, HandlerEnd = end2, CatchType = ex });
            md.Body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Catch) { TryStart = outerTry, TryEnd = innerTry, HandlerStart = innerTry, HandlerEnd = end, CatchType = ex });
        }), Codes.ExceptionRegion);

    [Fact]
    public void LeaveOutOfAFinally() =>
        AssertRejected(Support.Craft((m, md, il) =>
        {
            var end = il.Create(OpCodes.Ret);
            var tryStart = il.Create(OpCodes.Leave, end);
            var handler = il.Create(OpCodes.Leave, end);      // leaves the finally: only endfinally may
            il.Append(tryStart);
            il.Append(handler);
            il.Append(end);
            md.Body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Finally) { TryStart = tryStart, TryEnd = handler, HandlerStart = handler, HandlerEnd = end });
        }), Codes.ExceptionRegion);

    [Fact]
    public void LdfldaOnAStructValue() =>
        AssertRejected(Support.Craft((m, md, il) =>
        {
            // The address of a field of a copy on the stack.
            var pair = m.Types.First(t => t.Name == "Pair");
            md.Body.Variables.Add(new VariableDefinition(pair));
            il.Emit(OpCodes.Ldloc_0);
            il.Emit(OpCodes.Ldflda, pair.Fields.First(f => f.Name == "X"));
            il.Emit(OpCodes.Ldind_I4);
            il.Emit(OpCodes.Pop);
            il.Emit(OpCodes.Ret);
        }, Support.BaseSource + "\npublic struct Pair { public int X; }\n"), Codes.FieldAccess);

    // ----- invalid IL the verifier admitted (ilc refused it), earlier ------------------------------

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

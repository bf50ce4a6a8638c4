using Mono.Cecil;
using Mono.Cecil.Cil;
using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>
/// Ref structs (the core library's Span&lt;T&gt;/ReadOnlySpan&lt;T&gt;, a SIP's own) may never reach the
/// GC heap (SV0115): a span's reference and length stored in a heap object could be torn by another
/// thread, and a SIP could keep a reference past what the collector sees. Each rule gets hostile IL
/// the C# compiler would never emit, refused, next to the legitimate shape, verified.
/// </summary>
public class ByRefLikeTests
{
    private static VerificationResult Rejected(string dll, string code)
    {
        var r = Support.Verify(dll);
        Assert.True(r.ExitCode == 1, $"expected rejection with {code}, got exit {r.ExitCode}:\n{string.Join("\n", r.Violations)}");
        Assert.Contains(r.Violations, v => v.Code == code);
        return r;
    }

    private static void Verified(string dll)
    {
        var r = Support.Verify(dll);
        Assert.True(r.ExitCode == 0, $"expected to verify, got exit {r.ExitCode}:\n{string.Join("\n", r.Violations)}");
    }

    private static GenericInstanceType SpanOf(ModuleDefinition m, TypeReference element, string name = "System.Span`1")
    {
        var g = new GenericInstanceType(Support.Cor(m, name));
        g.GenericArguments.Add(element);
        return g;
    }

    private const string RefStructSource = Support.BaseSource + """
        public ref struct Window
        {
            public System.Span<int> Items;
            public int Sum() { int s = 0; foreach (int x in Items) s += x; return s; }
        }
        """;

    // ----- C# a SIP writes: verified ----------------------------------------------------------

    [Fact]
    public void SpanUseInCSharpVerifies() => Verified(Support.Compile("Spans", """
        using System;
        public ref struct Cursor
        {
            private ReadOnlySpan<char> _rest;
            public Cursor(string s) { _rest = s.AsSpan(); }
            public bool Next(out ReadOnlySpan<char> word)
            {
                int i = _rest.IndexOf(' ');
                if (_rest.IsEmpty) { word = default; return false; }
                if (i < 0) { word = _rest; _rest = default; return true; }
                word = _rest.Slice(0, i); _rest = _rest.Slice(i + 1); return true;
            }
        }
        public static class P
        {
            public static Span<int> Tail(int[] a, int n) => a.AsSpan(a.Length - n);
            public static int Main()
            {
                var a = new int[] { 3, 1, 4, 1, 5, 9, 2, 6 };
                Span<int> s = a;
                s.Slice(1, 3).Fill(7);
                int sum = 0;
                foreach (ref int x in Tail(a, 4)) { x *= 2; sum += x; }
                int[] b = s.ToArray();
                s.Slice(0, 2).CopyTo(b.AsSpan(6));
                ReadOnlySpan<int> ro = s;
                var c = new Cursor("ab cd ef");
                int words = 0;
                while (c.Next(out var w)) words += w.Length;
                return sum + ro.IndexOf(7) + words + (ro.SequenceEqual(b) ? 1 : 0) + ro[0];
            }
        }
        """));

    [Fact]
    public void ARefStructFieldOfARefStructVerifies() => Verified(Support.Compile("Window", RefStructSource));

    // ----- fields (TypeRules) -------------------------------------------------------------------

    [Fact]
    public void SpanFieldOfAClassIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        il.Emit(OpCodes.Ret);
        m.Types.First(t => t.Name == "Other").Fields.Add(new FieldDefinition("S", FieldAttributes.Public, SpanOf(m, m.TypeSystem.Int32)));
    }), "SV0115");

    [Fact]
    public void SpanFieldOfAPlainStructIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        il.Emit(OpCodes.Ret);
        var t = new TypeDefinition("", "Plain", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.SequentialLayout, m.ImportReference(Support.Cor(m, "System.ValueType")));
        t.Fields.Add(new FieldDefinition("S", FieldAttributes.Public, SpanOf(m, m.TypeSystem.Int32, "System.ReadOnlySpan`1")));
        m.Types.Add(t);
    }), "SV0115");

    [Fact]
    public void StaticSpanFieldIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        il.Emit(OpCodes.Ret);
        m.Types.First(t => t.Name == "Program").Fields.Add(new FieldDefinition("s_span", FieldAttributes.Private | FieldAttributes.Static | FieldAttributes.InitOnly, SpanOf(m, m.TypeSystem.Int32)));
    }), "SV0115");

    [Fact]
    public void OwnRefStructFieldOfAClassIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        il.Emit(OpCodes.Ret);
        m.Types.First(t => t.Name == "Other").Fields.Add(new FieldDefinition("W", FieldAttributes.Public, m.Types.First(t => t.Name == "Window")));
    }, RefStructSource), "SV0115");

    // ----- boxing, casts, constrained calls, delegates (method bodies) ---------------------------

    [Fact]
    public void BoxOfASpanIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        var span = SpanOf(m, m.TypeSystem.Int32);
        md.Body.Variables.Add(new VariableDefinition(span));
        il.Emit(OpCodes.Ldloc_0); il.Emit(OpCodes.Box, span); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    }), "SV0115");

    [Fact]
    public void BoxOfAPlainStructStillVerifies() => Verified(Support.Craft((m, md, il) =>
    {
        il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Box, m.TypeSystem.Int32); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    }));

    [Fact]
    public void IsinstToASpanIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        il.Emit(OpCodes.Ldnull); il.Emit(OpCodes.Isinst, SpanOf(m, m.TypeSystem.Int32)); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    }), "SV0115");

    [Fact]
    public void UnboxAnyToASpanIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        il.Emit(OpCodes.Ldnull); il.Emit(OpCodes.Unbox_Any, SpanOf(m, m.TypeSystem.Int32)); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    }), "SV0115");

    // span.ToString() would box: Object::ToString through constrained. of a ref struct that does not declare it.
    [Fact]
    public void ConstrainedCallThatBoxesIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        var span = SpanOf(m, m.TypeSystem.Int32);
        md.Body.Variables.Add(new VariableDefinition(span));
        var toString = new MethodReference("ToString", m.TypeSystem.String, m.TypeSystem.Object) { HasThis = true };
        il.Emit(OpCodes.Ldloca_S, md.Body.Variables[0]);
        il.Emit(OpCodes.Constrained, span); il.Emit(OpCodes.Callvirt, toString);
        il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    }), "SV0115");

    [Fact]
    public void ConstrainedCallOfTheRefStructsOwnMethodVerifies() => Verified(Support.Craft((m, md, il) =>
    {
        var window = m.Types.First(t => t.Name == "Window");
        md.Body.Variables.Add(new VariableDefinition(window));
        il.Emit(OpCodes.Ldloca_S, md.Body.Variables[0]);
        il.Emit(OpCodes.Constrained, window); il.Emit(OpCodes.Callvirt, window.Methods.First(x => x.Name == "Sum"));
        il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    }, RefStructSource));

    [Fact]
    public void LdftnOfARefStructInstanceMethodIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        il.Emit(OpCodes.Ldftn, m.Types.First(t => t.Name == "Window").Methods.First(x => x.Name == "Sum"));
        il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    }, RefStructSource), "SV0115");

    // ----- the rules that already covered ref structs ---------------------------------------------

    // A read-only span's indexer returns `ref readonly T`: a string's characters must stay as they are.
    [Fact]
    public void WriteThroughAReadOnlySpanIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        var ros = SpanOf(m, m.TypeSystem.Char, "System.ReadOnlySpan`1");
        md.Body.Variables.Add(new VariableDefinition(ros));
        var open = m.ImportReference(Support.CorDef("System.ReadOnlySpan`1").Methods.First(x => x.Name == "get_Item"));
        var item = new MethodReference("get_Item", open.ReturnType, ros) { HasThis = true };
        item.Parameters.Add(new ParameterDefinition(m.TypeSystem.Int32));
        il.Emit(OpCodes.Ldstr, "abc");
        il.Emit(OpCodes.Call, m.ImportReference(Support.CorDef("System.String").Methods.First(x => x.Name == "op_Implicit" && x.ReturnType.Name.StartsWith("ReadOnlySpan"))));
        il.Emit(OpCodes.Stloc_0);
        il.Emit(OpCodes.Ldloca_S, md.Body.Variables[0]);
        il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Call, item);
        il.Emit(OpCodes.Ldc_I4, 'x'); il.Emit(OpCodes.Stind_I2); il.Emit(OpCodes.Ret);
    }), "SV0212");

    // newarr names the element type, which no signature rule sees: it was admitted before SV0115.
    [Fact]
    public void NewarrOfSpansIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Newarr, SpanOf(m, m.TypeSystem.Int32)); il.Emit(OpCodes.Pop); il.Emit(OpCodes.Ret);
    }), "SV0115");

    [Fact]
    public void ArrayOfSpansInASignatureIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        md.Body.Variables.Add(new VariableDefinition(new ArrayType(SpanOf(m, m.TypeSystem.Int32))));
        il.Emit(OpCodes.Ret);
    }), "SV0233");

    [Fact]
    public void SpanAsAGenericArgumentIsRefused() => Rejected(Support.Craft((m, md, il) =>
    {
        var list = new GenericInstanceType(Support.Cor(m, "System.Collections.Generic.List`1"));
        list.GenericArguments.Add(SpanOf(m, m.TypeSystem.Int32));
        md.Body.Variables.Add(new VariableDefinition(list));
        il.Emit(OpCodes.Ret);
    }), "SV0230");

    [Fact]
    public void ASipsRefStructWithARefFieldIsRefused() => Rejected(Support.Compile("RefField", "public ref struct Alias { public ref int X; public Alias(ref int x) { X = ref x; } }"), "SV0113");

    [Fact]
    public void SpanOfExchangeBuffersIsRefused() => Rejected(Support.Compile("SpanOfBlocks",
        "using System; using Singularity.Channels; public static class P { public static int F(Span<ExBuffer> blocks) => blocks.Length; }"), "SV0304");
}

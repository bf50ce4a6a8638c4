using Mono.Cecil;
using Mono.Cecil.Cil;
using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>
/// The type rules of Partition II and the generic constraints (SV0230-SV0233), explicit layout
/// (SV0112) and access to every type a signature names (SV0109): each attack of issue 11 that the
/// verifier admitted, refused now, and the legitimate shapes next to it still verified.
/// </summary>
public class TypeRuleTests
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

    private static string CSharp(string source, bool channels = false) => Support.Compile("Case", source, channels: channels);

    private static string Crafted(string source, Action<ModuleDefinition> edit) => Support.Craft((m, md, il) => { il.Emit(OpCodes.Ret); edit(m); }, source);

    private static TypeReference Rt(ModuleDefinition m, string fullName) => m.ImportReference(Support.RuntimeDef(fullName));

    private static MethodReference RtMethod(ModuleDefinition m, string type, string name) => m.ImportReference(Support.RuntimeDef(type).Methods.First(x => x.Name == name));

    private static GenericInstanceType Inst(TypeReference t, params TypeReference[] args)
    {
        var g = new GenericInstanceType(t);
        foreach (var a in args) g.GenericArguments.Add(a);
        return g;
    }

    private static MethodReference On(MethodReference m, TypeReference declaringType)
    {
        var r = new MethodReference(m.Name, m.ReturnType, declaringType) { HasThis = m.HasThis, ExplicitThis = m.ExplicitThis, CallingConvention = m.CallingConvention };
        foreach (var p in m.Parameters) r.Parameters.Add(new ParameterDefinition(p.ParameterType));
        foreach (var gp in m.GenericParameters) r.GenericParameters.Add(new GenericParameter(gp.Name, r));
        return r;
    }

    // ----- generic constraints at instantiation sites (SV0230) -----------------------------------

    /// <summary>The attack: MessageFrame.Put&lt;T&gt;/Take&lt;T&gt; (where T : unmanaged) instantiated with object turns 8 data bytes into a reference.</summary>
    [Fact]
    public void UnmanagedConstraintOnRuntimeMethodWithReferenceType() => Rejected(Support.Craft((m, md, il) =>
    {
        var frame = Rt(m, "Singularity.Channels.MessageFrame");
        md.Body.Variables.Add(new VariableDefinition(frame));
        var take = new GenericInstanceMethod(RtMethod(m, "Singularity.Channels.MessageFrame", "Take"));
        take.GenericArguments.Add(m.TypeSystem.Object);
        il.Emit(OpCodes.Ldloca_S, md.Body.Variables[0]);
        il.Emit(OpCodes.Call, take);
        il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Ret);
    }), "SV0230");

    [Fact]
    public void UnmanagedConstraintOnRuntimeMethodWithStructHoldingAReference() => Rejected(Support.Craft((m, md, il) =>
    {
        var holder = m.Types.First(t => t.Name == "Holder");
        var frame = Rt(m, "Singularity.Channels.MessageFrame");
        md.Body.Variables.Add(new VariableDefinition(frame));
        var put = new GenericInstanceMethod(RtMethod(m, "Singularity.Channels.MessageFrame", "Put"));
        put.GenericArguments.Add(holder);
        md.Body.Variables.Add(new VariableDefinition(holder));
        il.Emit(OpCodes.Ldloca_S, md.Body.Variables[0]);
        il.Emit(OpCodes.Ldloc_1);
        il.Emit(OpCodes.Call, put);
        il.Emit(OpCodes.Ret);
    }, Support.BaseSource + "public struct Holder { public int A; public Wrapped W; } public struct Wrapped { public string S; }"), "SV0230");

    [Fact]
    public void UnmanagedConstraintAcceptsPlainData() => Verified(CSharp("""
        using Singularity.Channels;
        public struct Pair { public int A; public long B; public Inner I; }
        public struct Inner { public byte C; public E K; }
        public enum E : short { X, Y }
        public static class P
        {
            public static void F(ref MessageFrame f) { f.Put(new Pair()); f.Put<E>(E.Y); var p = f.Take<Pair>(); }
            public static void G<T>(ref MessageFrame f, T v) where T : unmanaged => f.Put(v);
        }
        """));

    /// <summary>The attack: ExArray&lt;string&gt; puts GC references into a block another SIP receives.</summary>
    [Fact]
    public void ExArrayOfReferenceTypeAsLocal() => Rejected(Support.Craft((m, md, il) =>
    {
        md.Body.Variables.Add(new VariableDefinition(Inst(Rt(m, "Singularity.Channels.ExArray`1"), m.TypeSystem.String)));
        il.Emit(OpCodes.Ret);
    }), "SV0230");

    [Fact]
    public void ExArrayOfReferenceTypeThroughAllocate() => Rejected(Support.Craft((m, md, il) =>
    {
        var arr = Inst(Rt(m, "Singularity.Channels.ExArray`1"), m.TypeSystem.Object);
        var alloc = On(RtMethod(m, "Singularity.Channels.ExArray`1", "Allocate"), arr);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Call, alloc);
        il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Ret);
    }), "SV0230");

    [Fact]
    public void UnconstrainedTypeParameterForUnmanaged() => Rejected(CraftGenericCaller(unmanagedCaller: false), "SV0230");

    [Fact]
    public void UnmanagedTypeParameterForUnmanaged() => Verified(CraftGenericCaller(unmanagedCaller: true));

    /// <summary>A SIP generic method F&lt;U&gt; whose body calls MessageFrame.Put&lt;U&gt;: fine only when U is itself unmanaged.</summary>
    private static string CraftGenericCaller(bool unmanagedCaller) => Support.Craft((m, md, il) =>
    {
        var src = m.Types.First(t => t.Name == "G").Methods.First(x => x.Name == "F");
        if (!unmanagedCaller)
        {
            var gp = src.GenericParameters[0];
            gp.Constraints.Clear();
            gp.HasNotNullableValueTypeConstraint = false;
            gp.CustomAttributes.Clear();
        }
        il.Emit(OpCodes.Ret);
    }, Support.BaseSource + "public static class G { public static void F<U>(ref Singularity.Channels.MessageFrame f, U v) where U : unmanaged => f.Put(v); }");

    [Fact]
    public void ClassConstraintOnSipTypeViolatedInBaseType() => Rejected(Crafted(Support.BaseSource + "public class B<T> where T : class { } public class D : B<string> { }", m =>
    {
        var d = m.Types.First(t => t.Name == "D");
        d.BaseType = Inst(m.Types.First(t => t.Name == "B`1"), Support.Cor(m, "System.Int32"));
    }), "SV0230");

    [Fact]
    public void StructConstraintViolatedInNewarr() => Rejected(Support.Craft((m, md, il) =>
    {
        var b = m.Types.First(t => t.Name == "S`1");
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Newarr, Inst(b, m.TypeSystem.String));
        il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Ret);
    }, Support.BaseSource + "public struct S<T> where T : struct { public T V; }"), "SV0230");

    [Fact]
    public void InterfaceConstraintViolatedInCast() => Rejected(Support.Craft((m, md, il) =>
    {
        var b = m.Types.First(t => t.Name == "C`1");
        il.Emit(OpCodes.Ldnull);
        il.Emit(OpCodes.Isinst, Inst(b, m.TypeSystem.Object));
        il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Ret);
    }, Support.BaseSource + "public interface IMark { } public sealed class C<T> where T : IMark { }"), "SV0230");

    [Fact]
    public void NewConstraintViolatedInBox() => Rejected(Support.Craft((m, md, il) =>
    {
        var b = m.Types.First(t => t.Name == "N`1");
        var inst = Inst(b, m.Types.First(t => t.Name == "NoDefault"));
        md.Body.Variables.Add(new VariableDefinition(inst));
        il.Emit(OpCodes.Ldloc_0);
        il.Emit(OpCodes.Box, inst);
        il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Ret);
    }, Support.BaseSource + "public class NoDefault { public NoDefault(int x) { } } public struct N<T> where T : new() { public int V; }"), "SV0230");

    [Fact]
    public void WrongNumberOfTypeArguments() => Rejected(Support.Craft((m, md, il) =>
    {
        md.Body.Variables.Add(new VariableDefinition(Inst(m.Types.First(t => t.Name == "Two`2"), m.TypeSystem.Int32)));
        il.Emit(OpCodes.Ret);
    }, Support.BaseSource + "public struct Two<A, B> { public A X; public B Y; }"), "SV0230");

    [Fact]
    public void ConstraintsChainedThroughTypeParameters() => Verified(CSharp("""
        public interface IMark { }
        public sealed class Box<T> where T : class, IMark { public T V; }
        public sealed class User<U> where U : class, IMark { public Box<U> B; public static Box<W> Make<W>() where W : class, IMark => new Box<W>(); }
        public sealed class Thing : IMark { }
        public static class P { public static object F() => User<Thing>.Make<Thing>(); }
        """));

    // ----- explicit layout (SV0112) ---------------------------------------------------------------

    /// <summary>The attack: a SIP struct overlays a runtime struct's private fields with a long, then rewrites them.</summary>
    [Fact]
    public void ExplicitLayoutOverlayingARuntimeStruct() => Rejected(CSharp("""
        using System.Runtime.InteropServices;
        using Singularity.Channels;
        [StructLayout(LayoutKind.Explicit)] public struct Overlay { [FieldOffset(0)] public MessageFrame Frame; [FieldOffset(64)] public long Forged; }
        """), "SV0112");

    [Fact]
    public void ExplicitLayoutOverlayingOwnStructThatHoldsARuntimeStruct() => Rejected(CSharp("""
        using System.Runtime.InteropServices;
        using Singularity.Channels;
        public struct Mine { public int Tag; public ExBuffer B; }
        [StructLayout(LayoutKind.Explicit)] public struct Overlay { [FieldOffset(0)] public Mine M; [FieldOffset(4)] public long Forged; }
        """), "SV0112");

    [Fact]
    public void ExplicitLayoutUnionOfPlainDataVerifies() => Verified(CSharp("""
        using System.Runtime.InteropServices;
        public struct Rgb { public byte R, G, B, A; }
        [StructLayout(LayoutKind.Explicit)] public struct Pixel { [FieldOffset(0)] public int Packed; [FieldOffset(0)] public Rgb Parts; [FieldOffset(0)] public float F; [FieldOffset(8)] public string Name; [FieldOffset(16)] public Singularity.Channels.ExBuffer Alone; }
        """));

    [Fact]
    public void ExplicitLayoutOnAGenericStructIsAVerdictNotACrash()
    {
        var r = Rejected(CSharp("""
            using System.Runtime.InteropServices;
            [StructLayout(LayoutKind.Explicit)] public struct G<T> { [FieldOffset(0)] public T A; [FieldOffset(0)] public long B; }
            """), "SV0112");
        Assert.DoesNotContain(r.Violations, v => v.Code.StartsWith("SV00"));
    }

    [Fact]
    public void ExplicitLayoutMisalignedReference() => Rejected(Crafted(Support.BaseSource + "[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)] public struct M { [System.Runtime.InteropServices.FieldOffset(0)] public long A; [System.Runtime.InteropServices.FieldOffset(8)] public object O; }", m =>
    {
        m.Types.First(t => t.Name == "M").Fields.First(f => f.Name == "O").Offset = 12;
    }), "SV0112");

    [Fact]
    public void PackedReference() => Rejected(CSharp("""
        using System.Runtime.InteropServices;
        [StructLayout(LayoutKind.Sequential, Pack = 1)] public struct P1 { public byte B; public object O; }
        """), "SV0112");

    // ----- access to every type a signature names (SV0109) ---------------------------------------

    [Fact]
    public void InternalCorlibTypeAsLocal() => Rejected(Support.Craft((m, md, il) =>
    {
        md.Body.Variables.Add(new VariableDefinition(m.ImportReference(Support.CorDef("System.Runtime.ExceptionHandling.RegContext"))));
        il.Emit(OpCodes.Ret);
    }), "SV0109");

    [Fact]
    public void InternalCorlibTypeAsGenericArgument() => Rejected(Support.Craft((m, md, il) =>
    {
        md.Body.Variables.Add(new VariableDefinition(Inst(m.Types.First(t => t.Name == "Keep`1"), m.ImportReference(Support.CorDef("System.Runtime.ExceptionHandling.RegContext")))));
        il.Emit(OpCodes.Ret);
    }, Support.BaseSource + "public struct Keep<T> { public T V; }"), "SV0109");

    [Fact]
    public void InternalCorlibTypeInFieldSignature() => Rejected(Crafted(Support.BaseSource, m =>
    {
        m.Types.First(t => t.Name == "Other").Fields.Add(new FieldDefinition("Ctx", FieldAttributes.Public, m.ImportReference(Support.CorDef("System.Runtime.ExceptionHandling.RegContext"))));
    }), "SV0109");

    [Fact]
    public void InaccessibleCatchType() => Rejected(Support.Craft((m, md, il) =>
    {
        // catch (E<RegContext>): the handler names an internal core library type.
        var exc = Inst(m.Types.First(t => t.Name == "E`1"), m.ImportReference(Support.CorDef("System.Runtime.ExceptionHandling.RegContext")));
        var tryStart = il.Create(OpCodes.Nop);
        var leave = il.Create(OpCodes.Leave, tryStart);
        var handler = il.Create(OpCodes.Pop);
        var leave2 = il.Create(OpCodes.Leave, tryStart);
        var end = il.Create(OpCodes.Ret);
        il.Append(tryStart); il.Append(leave); il.Append(handler); il.Append(leave2); il.Append(end);
        leave.Operand = end; leave2.Operand = end;
        md.Body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Catch) { TryStart = tryStart, TryEnd = handler, HandlerStart = handler, HandlerEnd = end, CatchType = exc });
    }, Support.BaseSource + "public class E<T> : System.Exception { }"), "SV0109");

    [Fact]
    public void AccessVerdictIsPerCaller()
    {
        // Two types call the same private member reference: the enclosing type may, a stranger may not.
        var dll = Support.Craft((m, md, il) =>
        {
            var outer = m.Types.First(t => t.Name == "Outer");
            var secret = m.ImportReference(outer.Methods.First(x => x.Name == "Secret"));
            var own = outer.Methods.First(x => x.Name == "Mine");
            own.Body.Instructions.Clear();
            var oil = own.Body.GetILProcessor();
            oil.Emit(OpCodes.Call, secret); oil.Emit(OpCodes.Ret);
            il.Emit(OpCodes.Call, secret);
            il.Emit(OpCodes.Ret);
        }, Support.BaseSource + "public static class Outer { private static int Secret() => 1; public static int Mine() => 0; }");
        var r = Rejected(dll, "SV0109");
        Assert.Contains(r.Violations, v => v.Code == "SV0109" && v.Where == "Program::Crafted");
        Assert.DoesNotContain(r.Violations, v => v.Where == "Outer::Mine");
    }

    // ----- implementations and overrides (SV0231, SV0232) -----------------------------------------

    [Fact]
    public void InterfaceMethodNotImplemented() => Rejected(Crafted(Support.BaseSource + "public interface IArea { int Area2(); } public sealed class Sq : IArea { public int Area2() => 4; }", m =>
    {
        var sq = m.Types.First(t => t.Name == "Sq");
        sq.Methods.Remove(sq.Methods.First(x => x.Name == "Area2"));
    }), "SV0231");

    [Fact]
    public void InterfaceImplementedWithRefWhereInterfaceSaysIn() => Rejected(Crafted(Support.BaseSource + "public interface IRead { int Get(in int x); } public sealed class R : IRead { public int Get(in int x) => x; }", m =>
    {
        // C# implements it with a bridge IRead.Get (modreq(In)) calling Get; drop the bridge and make
        // Get a virtual with a plain, writable ref: its signature no longer matches the interface's.
        var r = m.Types.First(t => t.Name == "R");
        r.Methods.Remove(r.Methods.First(x => x.Name == "IRead.Get"));
        var get = r.Methods.First(x => x.Name == "Get");
        get.IsVirtual = true; get.IsNewSlot = true; get.IsFinal = true;
        get.Parameters[0].ParameterType = new ByReferenceType(m.TypeSystem.Int32);
        get.Parameters[0].CustomAttributes.Clear();
    }), "SV0231");

    [Fact]
    public void AbstractMethodNotImplemented() => Rejected(Crafted(Support.BaseSource + "public sealed class Tri : Shape { public override int Area() => 3; }", m =>
    {
        var tri = m.Types.First(t => t.Name == "Tri");
        tri.Methods.Remove(tri.Methods.First(x => x.Name == "Area"));
    }), "SV0231");

    [Fact]
    public void OverrideOfSealedMethod() => Rejected(Crafted(Support.BaseSource + "public class A1 { public virtual int V() => 1; } public class A2 : A1 { public sealed override int V() => 2; } public sealed class A3 : A2 { public new int V() => 3; }", m =>
    {
        var v = m.Types.First(t => t.Name == "A3").Methods.First(x => x.Name == "V");
        v.IsVirtual = true; v.IsNewSlot = false; v.IsHideBySig = true;
    }), "SV0232");

    [Fact]
    public void ExplicitOverrideOfAnUnrelatedType() => Rejected(Crafted(Support.BaseSource + "public interface IX { int F(); } public class Impl { public virtual int G() => 1; }", m =>
    {
        var g = m.Types.First(t => t.Name == "Impl").Methods.First(x => x.Name == "G");
        g.Overrides.Add(m.Types.First(t => t.Name == "IX").Methods.First(x => x.Name == "F"));
    }), "SV0232");

    [Fact]
    public void OverrideWithStrongerConstraint() => Rejected(Crafted(Support.BaseSource + "public class Gb { public virtual void M<T>(ref Singularity.Channels.MessageFrame f, T v) { } } public sealed class Gd : Gb { public override void M<T>(ref Singularity.Channels.MessageFrame f, T v) { } }", m =>
    {
        // C# copies the base's constraints; IL may add 'unmanaged' to the override, which then runs with any T.
        var gp = m.Types.First(t => t.Name == "Gd").Methods.First(x => x.Name == "M").GenericParameters[0];
        gp.HasNotNullableValueTypeConstraint = true;
        gp.Constraints.Add(new GenericParameterConstraint(new RequiredModifierType(m.ImportReference(Support.CorDef("System.Runtime.InteropServices.UnmanagedType")), m.ImportReference(Support.CorDef("System.ValueType")))));
    }), "SV0232");

    [Fact]
    public void WritableRvaStaticIsMutable() => Rejected(Crafted(Support.BaseSource, m =>
    {
        // Compile-time data is exempt from SV0106 only while it is readonly: RVA data is the image's, shared if the image is.
        var f = new FieldDefinition("Data", FieldAttributes.Public | FieldAttributes.Static | FieldAttributes.HasFieldRVA, m.TypeSystem.Int64) { InitialValue = new byte[8] };
        m.Types.First(t => t.Name == "Other").Fields.Add(f);
    }), "SV0106");

    // ----- invalid types (SV0233) ------------------------------------------------------------------

    [Fact]
    public void CovariantParameterInInputPosition() => Rejected(Crafted(Support.BaseSource + "public interface IBag<T> { void Put(T x); T Get(); }", m =>
    {
        m.Types.First(t => t.Name == "IBag`1").GenericParameters[0].Attributes |= GenericParameterAttributes.Covariant;
    }), "SV0233");

    [Fact]
    public void VarianceOnAClass() => Rejected(Crafted(Support.BaseSource + "public class Cell<T> { public T V; }", m =>
    {
        m.Types.First(t => t.Name == "Cell`1").GenericParameters[0].Attributes |= GenericParameterAttributes.Covariant;
    }), "SV0233");

    [Fact]
    public void SafeVarianceVerifies() => Verified(CSharp("""
        public interface ISource<out T> { T Get(); ISource<T> Next(); }
        public interface ISink<in T> { void Put(T x); }
        public delegate TR Fn<in TA, out TR>(TA a);
        public sealed class Strings : ISource<string> { public string Get() => "a"; public ISource<string> Next() => this; }
        public static class P { public static object F() { ISource<object> s = new Strings(); return s.Get(); } }
        """));

    [Fact]
    public void StructContainingItself() => Rejected(Crafted(Support.BaseSource + "public struct Loop { public int A; public Other2 B; } public struct Other2 { public int C; }", m =>
    {
        m.Types.First(t => t.Name == "Other2").Fields.Add(new FieldDefinition("Back", FieldAttributes.Public, m.Types.First(t => t.Name == "Loop")));
    }), "SV0233");

    [Fact]
    public void InterfaceListedTwice() => Rejected(Crafted(Support.BaseSource + "public interface IQ { } public sealed class Q : IQ { }", m =>
    {
        m.Types.First(t => t.Name == "Q").Interfaces.Add(new InterfaceImplementation(m.Types.First(t => t.Name == "IQ")));
    }), "SV0233");

    [Fact]
    public void DerivesFromSealedType() => Rejected(Crafted(Support.BaseSource, m =>
    {
        m.Types.First(t => t.Name == "Other").BaseType = m.TypeSystem.String;
    }), "SV0233");

    [Fact]
    public void DerivesFromAnInterface() => Rejected(Crafted(Support.BaseSource + "public interface IQ { }", m =>
    {
        m.Types.First(t => t.Name == "Other").BaseType = m.Types.First(t => t.Name == "IQ");
    }), "SV0233");

    [Fact]
    public void EnumWithTwoValueFields() => Rejected(Crafted(Support.BaseSource + "public enum Color { Red, Green }", m =>
    {
        m.Types.First(t => t.Name == "Color").Fields.Add(new FieldDefinition("second", FieldAttributes.Public, m.TypeSystem.Int64));
    }), "SV0233");

    [Fact]
    public void DelegateWithAnExtraMethod() => Rejected(Crafted(Support.BaseSource + "public delegate int Op(int x);", m =>
    {
        var op = m.Types.First(t => t.Name == "Op");
        var extra = new MethodDefinition("Sneak", MethodAttributes.Public, m.TypeSystem.Void);
        extra.Body.GetILProcessor().Emit(OpCodes.Ret);
        op.Methods.Add(extra);
    }), "SV0233");

    [Fact]
    public void AbstractMethodInConcreteClass() => Rejected(Crafted(Support.BaseSource, m =>
    {
        var other = m.Types.First(t => t.Name == "Other");
        other.Methods.Add(new MethodDefinition("Hole", MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Abstract | MethodAttributes.NewSlot, m.TypeSystem.Int32));
    }), "SV0233");

    [Fact]
    public void StaticConstructorWithParameters() => Rejected(Crafted(Support.BaseSource, m =>
    {
        var cctor = new MethodDefinition(".cctor", MethodAttributes.Static | MethodAttributes.SpecialName | MethodAttributes.RTSpecialName | MethodAttributes.Private, m.TypeSystem.Void);
        cctor.Parameters.Add(new ParameterDefinition(m.TypeSystem.Int32));
        cctor.Body.GetILProcessor().Emit(OpCodes.Ret);
        m.Types.First(t => t.Name == "Other").Methods.Add(cctor);
    }), "SV0233");

    // ----- shapes that must keep verifying -------------------------------------------------------

    [Fact]
    public void OrdinaryObjectOrientedCodeVerifies() => Verified(CSharp("""
        public interface IShape { int Area(); string Name => "shape"; }
        public interface IScaled<T> where T : IShape { T Scale(int k); }
        public abstract class Base : IShape { public abstract int Area(); public virtual int Sides() => 0; }
        public abstract class Mid : Base { public override int Sides() => 4; }
        public interface ISame<T> { bool Same(T other); }
        public sealed class Sq : Mid, IScaled<Sq>, ISame<Sq>
        {
            public int S;
            public override int Area() => S * S;
            public Sq Scale(int k) => new Sq { S = S * k };
            bool ISame<Sq>.Same(Sq o) => o != null && o.S == S;
            public override string ToString() => "sq";
        }
        public struct V2 : ISame<V2> { public int X, Y; public bool Same(V2 o) => X == o.X && Y == o.Y; }
        public interface IReadIn { int Get(in int x); }
        public sealed class RIn : IReadIn { public int Get(in int x) => x; }
        public class Gen<T> { public virtual T Id<U>(T t, U u) where U : struct => t; }
        public sealed class GenD : Gen<string> { public override string Id<U>(string t, U u) => t + "!"; }
        public static class P { public static int F() => new Sq { S = 2 }.Scale(3).Area() + ((IShape)new Sq()).Name.Length; }
        """));
}

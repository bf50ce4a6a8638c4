using Mono.Cecil;
using Mono.Cecil.Cil;
using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>
/// Flags and receive results the verifier follows (issue 16): a block freed in `finally` only
/// when a `bool sent` says it was not sent, and a receive's out values owned only where its result
/// is Message. Each case is C# compiled by Roslyn, Release and Debug (their IL differs: Debug
/// copies every condition into a local and compares with ceq), plus IL edited with Cecil for the
/// forms no compiler emits. The wrong variants keep their codes.
/// </summary>
public class FlagTests
{
    private const string Head = "using Singularity.Channels;\npublic static class P\n{\n    static void Work() { }\n    static void Set(ref bool f) { f = true; }\n";

    private static VerificationResult Verify(string body, bool debug, Action<MethodDefinition> edit = null)
    {
        var dll = Support.Compile("Flags", Head + body + "\n}\n", channels: true, debug: debug);
        if (edit != null)
        {
            var dir = Path.GetDirectoryName(dll);
            var outPath = Path.Combine(dir, "FlagsEdited.dll");
            using (var module = ModuleDefinition.ReadModule(dll, new ReaderParameters { AssemblyResolver = new Support.Resolver(dir) }))
            {
                CecilCoreLibrary.Fix(module);
                edit(Support.Find(module, "P", "F"));
                module.Write(outPath);
            }
            File.Delete(dll);
            File.Move(outPath, dll);
        }
        var t = Task.Run(() => Support.Verify(dll));
        Assert.True(t.Wait(TimeSpan.FromSeconds(20)), "the verifier did not finish within 20 s");
        return t.Result;
    }

    public static readonly TheoryData<string, string> Accepted = new()
    {
        { "freed in finally unless sent", """
            public static void F(Ping.Imp ep) { var b = ExBuffer.Allocate(8); bool sent = false; try { ep.SendHi(1, b); sent = true; } finally { if (!sent) b.Free(); } }
            """ },
        { "user calls around the send", """
            public static void F(Ping.Imp ep) { var b = ExBuffer.Allocate(8); bool sent = false; try { Work(); ep.SendHi(1, b); sent = true; Work(); } finally { if (!sent) b.Free(); } }
            """ },
        { "the flag compared with a constant", """
            public static void F(Ping.Imp ep) { var b = ExBuffer.Allocate(8); bool sent = false; try { ep.SendHi(1, b); sent = true; } finally { if (sent == false) b.Free(); } }
            """ },
        { "a flag that says it was freed", """
            public static void F() { var b = ExBuffer.Allocate(8); bool freed = false; try { Work(); b.Free(); freed = true; Work(); } finally { if (!freed) b.Free(); } }
            """ },
        { "an early return inside the try", """
            public static void F(Ping.Imp ep, int n) { var b = ExBuffer.Allocate(8); bool sent = false; try { if (n < 0) return; Work(); ep.SendHi(n, b); sent = true; } finally { if (!sent) b.Free(); } }
            """ },
        { "inside a using of the endpoint", """
            public static void F([Claims] Ping.Imp ep) { using (ep) { var b = ExBuffer.Allocate(8); bool sent = false; try { ep.SendHi(1, b); sent = true; } finally { if (!sent) b.Free(); } } }
            """ },
        { "a using block beside the flag", """
            public static void F(Ping.Imp ep) { using (var t = ExBuffer.Allocate(2)) { var b = ExBuffer.Allocate(8); bool sent = false; try { t[0] = 1; ep.SendHi(1, b); sent = true; } finally { if (!sent) b.Free(); } } }
            """ },
        { "two flags for two blocks", """
            public static void F(Ping.Imp ep) { var a = ExBuffer.Allocate(1); var c = ExBuffer.Allocate(2); bool sa = false, sc = false; try { ep.SendHi(1, a); sa = true; Work(); ep.SendHi(2, c); sc = true; } finally { if (!sa) a.Free(); if (!sc) c.Free(); } }
            """ },
        { "a stage switched on in the finally", """
            public static void F(Ping.Imp ep) { var b = ExBuffer.Allocate(8); int stage = 0; try { Work(); ep.SendHi(1, b); stage = 1; Work(); stage = 2; } finally { switch (stage) { case 0: b.Free(); break; case 1: Work(); break; } } }
            """ },
        { "each path leaves the finally to its own target", """
            public static void F(int n) { var b = ExBuffer.Allocate(1); try { if (n < 0) { b.Free(); return; } Work(); } finally { Work(); } b.Free(); }
            """ },
        { "a flag set on one branch only, tested after the join", """
            public static void F(Ping.Imp ep, int n) { var b = ExBuffer.Allocate(8); bool sent = false; if (n > 0) { ep.SendHi(n, b); sent = true; } if (!sent) b.Free(); }
            """ },
        { "a receive's result compared with Message", """
            public static void F(Ping.Imp ep) { if (ep.RecvHo(out var b) == ReceiveResult.Message) b.Free(); }
            """ },
        { "a receive's result through a local", """
            public static int F(Ping.Imp ep) { var r = ep.RecvHo(out var b); if (r != ReceiveResult.Message) return (int)r; b.Free(); return 0; }
            """ },
        { "a switch on a receive's result", """
            public static void F(Ping.Imp ep) { switch (ep.RecvHo(out var b)) { case ReceiveResult.Message: b.Free(); break; case ReceiveResult.ChannelClosed: Work(); break; default: break; } }
            """ },
        { "a switch with every result", """
            public static int F(Ping.Imp ep) { var r = ep.RecvHo(out var b); switch (r) { case ReceiveResult.Message: b.Free(); return 0; case ReceiveResult.ChannelClosed: return 1; case ReceiveResult.TimedOut: return 2; } return 3; }
            """ },
        { "a server loop: receive, then send under a flag", """
            public static void F([Claims] Ping.Exp ep) { while (true) { if (ep.RecvHi(out int x, out var b) != ReceiveResult.Message) break; bool sent = false; try { ep.SendHo(b); sent = true; } finally { if (!sent) b.Free(); } } ep.Close(); }
            """ },
        { "a claimed endpoint the finally does not name", """
            public static void F([Claims] Ping.Exp ep) { while (true) { if (ep.RecvHi(out int x, out var b) != ReceiveResult.Message) break; bool sent = false; try { Work(); ep.SendHo(b); sent = true; } finally { if (!sent) b.Free(); } } ep.Close(); }
            """ },
        { "an endpoint compared with null", """
            public static void F([Claims] Ping.Imp ep) { if (ep != null) ep.Close(); }
            """ },
        { "a throw inside try/finally that frees", """
            public static void F(int n) { var b = ExBuffer.Allocate(8); try { if (n < 0) throw new System.Exception(); Work(); } finally { b.Free(); } }
            """ },
        { "a throw inside a using", """
            public static void F(int n) { using (var b = ExBuffer.Allocate(8)) { if (n < 0) throw new System.Exception(); Work(); } }
            """ },
        { "a throw through an inner finally to the one that frees", """
            public static void F(int n) { var b = ExBuffer.Allocate(8); try { try { if (n < 0) throw new System.Exception(); Work(); } finally { Work(); } } finally { b.Free(); } }
            """ },
        { "a throw before the send, freed unless sent", """
            public static void F(Ping.Imp ep, int n) { var b = ExBuffer.Allocate(8); bool sent = false; try { if (n < 0) throw new System.Exception(); ep.SendHi(n, b); sent = true; } finally { if (!sent) b.Free(); } }
            """ },
    };

    public static readonly TheoryData<string, string, string> Rejected = new()
    {
        { "a throw past a finally that does not free it", "SV0303", """
            public static void F(int n) { var b = ExBuffer.Allocate(8); try { if (n < 0) throw new System.Exception(); b.Free(); } finally { Work(); } }
            """ },
        { "a throw past a finally that frees another block", "SV0303", """
            public static void F(int n) { var a = ExBuffer.Allocate(8); var b = ExBuffer.Allocate(8); try { if (n < 0) throw new System.Exception(); b.Free(); } finally { a.Free(); } }
            """ },
        { "an inner finally reads it, no finally frees it", "SV0303", """
            public static void F(int n) { var b = ExBuffer.Allocate(8); try { try { if (n < 0) throw new System.Exception(); Work(); } finally { if (b.Length > 5) Work(); } b.Free(); } finally { Work(); } }
            """ },
        { "a finally that reads it without freeing it", "SV0303", """
            public static void F(int n) { var b = ExBuffer.Allocate(8); try { if (n < 0) throw new System.Exception(); Work(); } finally { if (b.Length > 4) Work(); } b.Free(); }
            """ },
        { "freed when sent", "SV0302", """
            public static void F(Ping.Imp ep) { var b = ExBuffer.Allocate(8); bool sent = false; try { ep.SendHi(1, b); sent = true; } finally { if (sent) b.Free(); } }
            """ },
        { "not freed when not sent", "SV0303", """
            public static void F(Ping.Imp ep, int n) { var b = ExBuffer.Allocate(8); bool sent = false; try { if (n > 0) { ep.SendHi(1, b); sent = true; } } finally { if (sent) Work(); } }
            """ },
        { "the flag set before the send", "SV0303", """
            public static void F(Ping.Imp ep) { var b = ExBuffer.Allocate(8); bool sent = false; try { sent = true; ep.SendHi(1, b); } finally { if (!sent) b.Free(); } }
            """ },
        { "the flag set before a user call", "SV0303", """
            public static void F() { var b = ExBuffer.Allocate(8); bool freed = false; try { freed = true; Work(); b.Free(); } finally { if (!freed) b.Free(); } }
            """ },
        { "the flag set through a reference", "SV0302", """
            public static void F(Ping.Imp ep) { var b = ExBuffer.Allocate(8); bool sent = false; try { ep.SendHi(1, b); Set(ref sent); } finally { if (!sent) b.Free(); } }
            """ },
        { "the flag is a parameter", "SV0302", """
            public static void F(Ping.Imp ep, bool sent) { var b = ExBuffer.Allocate(8); sent = false; try { ep.SendHi(1, b); sent = true; } finally { if (!sent) b.Free(); } }
            """ },
        { "more flags than the bound", "SV0302", """
            public static void F(Ping.Imp ep)
            {
                var b0 = ExBuffer.Allocate(1); var b1 = ExBuffer.Allocate(1); var b2 = ExBuffer.Allocate(1); var b3 = ExBuffer.Allocate(1); var b4 = ExBuffer.Allocate(1);
                var b5 = ExBuffer.Allocate(1); var b6 = ExBuffer.Allocate(1); var b7 = ExBuffer.Allocate(1); var b8 = ExBuffer.Allocate(1);
                bool s0 = false, s1 = false, s2 = false, s3 = false, s4 = false, s5 = false, s6 = false, s7 = false, s8 = false;
                try
                {
                    ep.SendHi(0, b0); s0 = true; ep.SendHi(1, b1); s1 = true; ep.SendHi(2, b2); s2 = true; ep.SendHi(3, b3); s3 = true; ep.SendHi(4, b4); s4 = true;
                    ep.SendHi(5, b5); s5 = true; ep.SendHi(6, b6); s6 = true; ep.SendHi(7, b7); s7 = true; ep.SendHi(8, b8); s8 = true;
                }
                finally
                {
                    if (!s0) b0.Free(); if (!s1) b1.Free(); if (!s2) b2.Free(); if (!s3) b3.Free(); if (!s4) b4.Free();
                    if (!s5) b5.Free(); if (!s6) b6.Free(); if (!s7) b7.Free(); if (!s8) b8.Free();
                }
            }
            """ },
        { "a received block dropped when a message came", "SV0303", """
            public static void F(Ping.Imp ep) { if (ep.RecvHo(out var b) == ReceiveResult.Message) Work(); }
            """ },
        { "freed only when nothing was received", "SV0303", """
            public static void F(Ping.Imp ep) { if (ep.RecvHo(out var b) != ReceiveResult.Message) b.Free(); }
            """ },
        { "a switch that drops the message's block", "SV0303", """
            public static void F(Ping.Imp ep) { switch (ep.RecvHo(out var b)) { case ReceiveResult.Message: Work(); break; case ReceiveResult.ChannelClosed: break; default: break; } }
            """ },
        { "freed twice where a message came", "SV0302", """
            public static void F(Ping.Imp ep) { var r = ep.RecvHo(out var b); if (r == ReceiveResult.Message) b.Free(); if (r != ReceiveResult.ChannelClosed) b.Free(); }
            """ },
    };

    [Theory, MemberData(nameof(Accepted))]
    public void AcceptedRelease(string name, string body) => AssertVerified(name, Verify(body, debug: false));

    [Theory, MemberData(nameof(Accepted))]
    public void AcceptedDebug(string name, string body) => AssertVerified(name, Verify(body, debug: true));

    [Theory, MemberData(nameof(Rejected))]
    public void RejectedRelease(string name, string code, string body) => AssertRejected(name, code, Verify(body, debug: false));

    [Theory, MemberData(nameof(Rejected))]
    public void RejectedDebug(string name, string code, string body) => AssertRejected(name, code, Verify(body, debug: true));

    private static void AssertVerified(string name, VerificationResult r) => Assert.True(r.Verified, name + ":\n" + string.Join("\n", r.Violations));

    private static void AssertRejected(string name, string code, VerificationResult r)
    {
        Assert.True(r.ExitCode == 1, $"{name}: expected rejection with {code}, got exit {r.ExitCode}:\n{string.Join("\n", r.Violations)}");
        Assert.Contains(r.Violations, v => v.Code == code);
    }

    // ----- IL no compiler emits ---------------------------------------------------------------------

    private const string SentFlag = "public static void F(Ping.Imp ep) { var b = ExBuffer.Allocate(8); bool sent = false; try { ep.SendHi(1, b); sent = true; } finally { if (!sent) b.Free(); } }";

    /// <summary>The local the `sent = true` after the send stores into (ldc.i4.1; stloc).</summary>
    private static Instruction SetTrue(MethodDefinition m) => m.Body.Instructions.First(i => i.OpCode == OpCodes.Ldc_I4_1 && i.Next != null && i.Next.OpCode.Code is Code.Stloc_1 or Code.Stloc_S or Code.Stloc_2);

    [Fact]
    public void FlagThroughDupIsFollowed()
    {
        // ldc.i4.1; dup; stloc sent; pop
        var r = Verify(SentFlag, false, m =>
        {
            var il = m.Body.GetILProcessor();
            var ldc = SetTrue(m);
            il.InsertAfter(ldc, il.Create(OpCodes.Dup));
            il.InsertAfter(ldc.Next.Next, il.Create(OpCodes.Pop));
        });
        AssertVerified("dup", r);
    }

    [Fact]
    public void FlagComparedWithBneIsFollowed()
    {
        // finally: ldloc sent; ldc.i4.0; bne.un END (instead of brtrue END)
        var r = Verify(SentFlag, false, m =>
        {
            var il = m.Body.GetILProcessor();
            var br = m.Body.Instructions.First(i => i.OpCode.Code is Code.Brtrue or Code.Brtrue_S);
            il.InsertBefore(br, il.Create(OpCodes.Ldc_I4_0));
            il.Replace(br, il.Create(OpCodes.Bne_Un, (Instruction)br.Operand));
        });
        AssertVerified("bne.un", r);
    }

    [Fact]
    public void AnyNonzeroConstantIsTrue()
    {
        var r = Verify(SentFlag, false, m => m.Body.GetILProcessor().Replace(SetTrue(m), Instruction.Create(OpCodes.Ldc_I4, 7)));
        AssertVerified("sent = 7", r);
    }

    [Fact]
    public void FlagNeverSetIsADoubleFree()
    {
        // sent = false after the send: the finally frees what was sent.
        var r = Verify(SentFlag, false, m => m.Body.GetILProcessor().Replace(SetTrue(m), Instruction.Create(OpCodes.Ldc_I4_0)));
        AssertRejected("sent = 0", "SV0302", r);
    }

    [Fact]
    public void FlagWhoseAddressIsTakenIsUnknown()
    {
        // ldloca sent; pop anywhere in the method: nothing is known of it (a callee could have written it).
        var r = Verify(SentFlag, false, m =>
        {
            var il = m.Body.GetILProcessor();
            var st = SetTrue(m).Next;
            var local = st.OpCode.Code switch { Code.Stloc_1 => m.Body.Variables[1], Code.Stloc_2 => m.Body.Variables[2], _ => (VariableDefinition)st.Operand };
            var first = m.Body.Instructions[0];
            il.InsertBefore(first, il.Create(OpCodes.Ldloca, local));
            il.InsertBefore(first, il.Create(OpCodes.Pop));
        });
        AssertRejected("ldloca", "SV0302", r);
    }

    [Fact]
    public void FlagTestedByAConstantBranchLeavesTheOtherEdgeChecked()
    {
        // The edge a known flag rules out is still type-checked: a bad type there is refused.
        var r = Verify(SentFlag, false, m =>
        {
            var il = m.Body.GetILProcessor();
            var br = m.Body.Instructions.First(i => i.OpCode.Code is Code.Brtrue or Code.Brtrue_S);
            // On the free path (never run with sent = 1 on the normal path, run on the exceptional one): ldnull; ldc.i4.1; add; pop
            var next = br.Next;
            il.InsertBefore(next, il.Create(OpCodes.Ldnull));
            il.InsertBefore(next, il.Create(OpCodes.Ldc_I4_1));
            il.InsertBefore(next, il.Create(OpCodes.Add));
            il.InsertBefore(next, il.Create(OpCodes.Pop));
        });
        Assert.Contains(r.Violations, v => v.Code == Codes.StackType);
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using Singularity.Ownership;

namespace Singularity.Analyzers
{
    /// <summary>
    /// Forward data-flow analysis of one function body (method, local function or lambda) over its
    /// Roslyn <see cref="ControlFlowGraph"/>. For every tracked local and parameter it keeps a set of
    /// ownership facts (owned / transferred / null) and, for endpoints, the set of protocol states the
    /// endpoint may be in. Joins are unions; a diagnostic is reported in a final pass over the fixpoint.
    ///
    /// Finally regions are run on each path that leaves through them (so a path's state is exact);
    /// exceptions are modelled at every call that may throw (and at throw statements): the state at
    /// that point flows to the enclosing catch handlers, through the enclosing finally regions, or out
    /// of the function, where anything still owned leaks.
    ///
    /// How it is built (one file per concept, all parts of this class): this file holds the state, the
    /// set-up and the driver (the fixpoint over the graph, finally regions, joins); Exits.cs the throw and
    /// scope-exit paths (where leaks are found) and their locations; Operations.cs the evaluation of
    /// operations and the ownership hooks (UseCheck, Transfer, Assign); Calls.cs what a call does to its
    /// receiver and arguments; Protocols.cs the protocol (typestate) checks; BranchRefinement.cs how a
    /// branch condition narrows the state. Which types are tracked is ChannelModel, over the model shared
    /// with the verifier (Verifier/Shared/TrackedTypes.cs).
    /// </summary>
    internal sealed partial class OwnershipFlow
    {
        const byte Owned = 1, Released = 2, Unassigned = 4;
        // With Owned: the value is the caller's, lent to this method (a parameter without [Claims],
        // or a ref parameter). It travels with the value through assignments, so a copy of a
        // borrowed parameter is borrowed too: it may be read, never given away, and never leaks.
        const byte Lent = 8;
        const ulong Unknown = 1UL << 63, PeerClosed = 1UL << 62, StateBits = (1UL << Protocol.MaxStates) - 1;

        sealed class Var
        {
            public ISymbol Symbol;
            public string Name;
            public bool IsParameter, Borrowed, NoLeakCheck;
            public Protocol Protocol; // endpoints with a known protocol only
            public ITypeSymbol Message; // a received Message struct: it leaks only while it may carry a tracked argument (its Ts: DroppedMessages.cs)
            public string Release;    // "Free" or "Close"
        }

        sealed class State
        {
            public byte[] Own;
            public ulong[] Ts;
            // Receive outcomes already ruled out on this path (the != edges of a switch), per receive call;
            // copy-on-write. When every outcome is ruled out the path is infeasible.
            public Dictionary<IOperation, ulong> Excl;
            // Per boolean flag local (Flags.cs): what it holds on this path (0 nothing yet, 1 false, 2 true, 3 either).
            public byte[] Flag = NoFlags;
            public State(int n) { Own = new byte[n]; Ts = new ulong[n]; }
            public State Clone() { var s = new State(0) { Own = (byte[])Own.Clone(), Ts = (ulong[])Ts.Clone(), Excl = Excl, Flag = (byte[])Flag.Clone() }; return s; }

            public bool JoinFrom(State o)
            {
                bool changed = false;
                if (Excl != null)
                {
                    Dictionary<IOperation, ulong> meet = null;
                    if (o.Excl != null)
                        foreach (var kv in Excl)
                            if (o.Excl.TryGetValue(kv.Key, out var m) && (m & kv.Value) != 0)
                                (meet ?? (meet = new Dictionary<IOperation, ulong>()))[kv.Key] = m & kv.Value;
                    if (meet == null || meet.Count != Excl.Count || meet.Any(kv => Excl[kv.Key] != kv.Value)) { Excl = meet; changed = true; }
                }
                for (int i = 0; i < Flag.Length && i < o.Flag.Length; i++)
                {
                    byte f = (byte)(Flag[i] | o.Flag[i]);
                    if (f != Flag[i]) { Flag[i] = f; changed = true; }
                }
                for (int i = 0; i < Own.Length; i++)
                {
                    byte b = (byte)(Own[i] | o.Own[i]);
                    if (b != Own[i]) { Own[i] = b; changed = true; }
                    ulong t = JoinTs(Ts[i], o.Ts[i]);
                    if (t != Ts[i]) { Ts[i] = t; changed = true; }
                }
                return changed;
            }
        }

        static ulong JoinTs(ulong a, ulong b)
        {
            if (a == 0) return b;
            if (b == 0 || a == b) return a;
            if (((a | b) & (Unknown | PeerClosed)) != 0) return Unknown;
            return a | b;
        }

        sealed class Pending
        {
            public int Var;
            public ulong Pre;
            public bool IsRecvX;
            public List<int> Outs = new List<int>();
            public List<string> Outcomes; // every result the call may have, or null if unknown
        }

        sealed class Frame
        {
            public bool Main;
            public bool Reports;   // a finally region run for one path in the reporting pass
            public State[] Entries;
            public SortedSet<int> Work = new SortedSet<int>();
            public State Exit;
            public int Lo, Hi;
        }

        readonly ControlFlowGraph cfg;
        readonly IMethodSymbol function;
        readonly ChannelModel model;
        readonly Action<Diagnostic> report;
        readonly CancellationToken ct;
        readonly Dictionary<ISymbol, int> index = new Dictionary<ISymbol, int>(SymbolEqualityComparer.Default);
        readonly List<Var> vars = new List<Var>();
        readonly Dictionary<CaptureId, int> alias = new Dictionary<CaptureId, int>();
        readonly Dictionary<CaptureId, IOperation> captureCall = new Dictionary<CaptureId, IOperation>();
        readonly Dictionary<ISymbol, IOperation> resultLocal = new Dictionary<ISymbol, IOperation>(SymbolEqualityComparer.Default);
        readonly Dictionary<IOperation, Pending> pending = new Dictionary<IOperation, Pending>();
        readonly Dictionary<int, SyntaxNode> movedAt = new Dictionary<int, SyntaxNode>();
        readonly HashSet<(string, TextSpan, string)> reported = new HashSet<(string, TextSpan, string)>();
        readonly Dictionary<ControlFlowRegion, Dictionary<int, State>> finallyCache = new Dictionary<ControlFlowRegion, Dictionary<int, State>>();
        readonly Dictionary<ControlFlowRegion, Dictionary<int, State>> reportedFinally = new Dictionary<ControlFlowRegion, Dictionary<int, State>>();

        Frame mainFrame;
        bool reportingPass;
        // Current evaluation context.
        State s;
        BasicBlock current;
        Frame frame;

        public OwnershipFlow(ControlFlowGraph cfg, IMethodSymbol function, ChannelModel model, Action<Diagnostic> report, CancellationToken ct)
        {
            this.cfg = cfg;
            this.function = function;
            this.model = model;
            this.report = report;
            this.ct = ct;
        }

        // A finally body is reported from its runs for each path entering it (where a flag or a
        // null test still knows its path), not from the main pass's join of them all.
        bool Reporting => reportingPass && frame != null && (frame.Reports || (frame.Main && !InFinally(current)));

        static bool InFinally(BasicBlock b)
        {
            for (var r = b?.EnclosingRegion; r != null; r = r.EnclosingRegion)
                if (r.Kind == ControlFlowRegionKind.Finally) return true;
            return false;
        }

        // ---- set-up ---------------------------------------------------------------------------------

        void AddVar(ISymbol symbol, ITypeSymbol type, bool isParameter)
        {
            if (index.ContainsKey(symbol) || !model.IsTracked(type)) return;
            var v = new Var { Symbol = symbol, Name = symbol.Name, IsParameter = isParameter };
            if (ChannelModel.IsEndpoint(type))
            {
                v.Release = TrackedTypes.Close;
                var p = model.GetProtocol(type);
                if (p != null && p.Valid) v.Protocol = p;
            }
            else if (ChannelModel.IsAffine(type))
            {
                v.Release = "Take";
                if (ChannelModel.IsMessage(type)) v.Message = type;
                else v.NoLeakCheck = true;
            }
            else v.Release = TrackedTypes.Free;
            index[symbol] = vars.Count;
            vars.Add(v);
        }

        void CollectLocals(ControlFlowRegion r)
        {
            foreach (var l in r.Locals) AddVar(l, l.Type, false);
            foreach (var n in r.NestedRegions) CollectLocals(n);
        }

        State Initial()
        {
            var st = new State(vars.Count) { Flag = new byte[flags.Count] };
            for (int i = 0; i < vars.Count; i++)
            {
                var v = vars[i];
                st.Own[i] = Unassigned;
                if (!v.IsParameter) continue;
                var p = (IParameterSymbol)v.Symbol;
                if (p.RefKind == RefKind.Out) { v.NoLeakCheck = true; continue; }
                v.Borrowed = p.RefKind != RefKind.None || !ChannelModel.HasClaims(p);
                st.Own[i] = v.Borrowed && model.IsTracked(p.Type) ? (byte)(Owned | Lent) : Owned;
                st.Ts[i] = v.Message != null ? KindMask(v.Message, null) : v.Protocol == null ? 0 : StateMask(v.Protocol, ChannelModel.StateOf(p.GetAttributes()));
            }
            return st;
        }

        static ulong StateMask(Protocol p, string name)
        {
            if (p == null || name == null) return Unknown;
            int i = p.StateIndex(name, false);
            return i >= 0 && i < Protocol.MaxStates ? 1UL << i : Unknown;
        }

        // ---- driver ---------------------------------------------------------------------------------

        public void Run()
        {
            foreach (var p in function.Parameters) AddVar(p, p.Type, true);
            CollectLocals(cfg.Root);
            CollectFlags();
            var blocks = cfg.Blocks;
            mainFrame = new Frame { Main = true, Entries = new State[blocks.Length], Lo = 0, Hi = blocks.Length - 1 };
            mainFrame.Entries[0] = Initial();
            mainFrame.Work.Add(0);
            int budget = 64 * blocks.Length + 256;
            while (mainFrame.Work.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                if (--budget < 0) return; // pathological graph: report nothing rather than something wrong
                int b = mainFrame.Work.Min;
                mainFrame.Work.Remove(b);
                Process(blocks[b], mainFrame);
            }
            reportingPass = true;
            CheckParameterStates();
            for (int b = 0; b < blocks.Length; b++)
                if (mainFrame.Entries[b] != null) Process(blocks[b], mainFrame);
        }

        void Process(BasicBlock b, Frame f)
        {
            var saved = (s, current, frame);
            s = f.Entries[b.Ordinal].Clone();
            current = b;
            frame = f;
            try
            {
                foreach (var op in b.Operations) Eval(op);
                var fall = b.FallThroughSuccessor;
                if (b.BranchValue != null)
                {
                    if (fall != null && fall.Semantics == ControlFlowBranchSemantics.Return) EvalReturn(b.BranchValue);
                    else Eval(b.BranchValue);
                }
                if (b.Kind == BasicBlockKind.Exit) return;
                if (b.ConditionalSuccessor != null)
                {
                    var sc = s.Clone();
                    if (Refine(sc, b.BranchValue, b.ConditionKind == ControlFlowConditionKind.WhenTrue))
                        Follow(b, b.ConditionalSuccessor, sc);
                    var sf = s.Clone();
                    if (Refine(sf, b.BranchValue, b.ConditionKind != ControlFlowConditionKind.WhenTrue))
                        Follow(b, fall, sf);
                }
                else Follow(b, fall, s);
            }
            finally
            {
                (s, current, frame) = saved;
            }
        }

        void Follow(BasicBlock from, ControlFlowBranch branch, State st)
        {
            if (branch == null) return;
            switch (branch.Semantics)
            {
                case ControlFlowBranchSemantics.Regular:
                case ControlFlowBranchSemantics.Return:
                    foreach (var fin in branch.FinallyRegions) st = RunFinally(fin, st);
                    foreach (var r in branch.LeavingRegions)
                        foreach (var l in r.Locals)
                            if (index.TryGetValue(l, out int i)) LeaveScope(st, i, () => ScopeExitLocation(from, branch, l));
                    var dest = branch.Destination;
                    if (dest == null) return;
                    if (dest.Kind == BasicBlockKind.Exit)
                        for (int i = 0; i < vars.Count; i++)
                            if (vars[i].IsParameter) LeaveScope(st, i, () => ScopeExitLocation(from, branch, null));
                    Merge(frame, dest, st);
                    break;
                case ControlFlowBranchSemantics.Throw:
                case ControlFlowBranchSemantics.Rethrow:
                    Throw(from, st, ThrowLocation(from), null);
                    break;
                case ControlFlowBranchSemantics.StructuredExceptionHandling:
                    if (!frame.Main && from.EnclosingRegion != null)
                        frame.Exit = frame.Exit == null ? st.Clone() : Join(frame.Exit, st);
                    break;
            }
        }

        static State Join(State a, State b) { a.JoinFrom(b); return a; }

        void Merge(Frame f, BasicBlock dest, State st)
        {
            if (dest.Ordinal < f.Lo || dest.Ordinal > f.Hi) return;
            var e = f.Entries[dest.Ordinal];
            bool changed;
            if (e == null) { f.Entries[dest.Ordinal] = st.Clone(); changed = true; }
            else changed = e.JoinFrom(st);
            if (changed && !(f.Main && reportingPass)) f.Work.Add(dest.Ordinal);
        }

        /// <summary>The state after running a finally region on a path entering it with <paramref name="input"/>.</summary>
        State RunFinally(ControlFlowRegion fin, State input)
        {
            var first = cfg.Blocks[fin.FirstBlockOrdinal];
            // The main pass also analyses the finally body itself, with the join of all entering states.
            if (frame.Main) Merge(mainFrame, first, input);
            if (!finallyCache.TryGetValue(fin, out var cache)) finallyCache[fin] = cache = new Dictionary<int, State>();
            int key = Hash(input);
            bool reports = reportingPass && (frame.Main || frame.Reports);
            if (reports)
            {
                // Once per distinct path state in the reporting pass (diagnostics are deduplicated anyway).
                if (!reportedFinally.TryGetValue(fin, out var done)) reportedFinally[fin] = done = new Dictionary<int, State>();
                if (done.TryGetValue(key, out var seen) && Same(seen, input, out var again)) return again.Clone();
                cache = done;
            }
            else if (cache.TryGetValue(key, out var cached) && Same(cached, input, out var result)) return result.Clone();
            var f = new Frame { Main = false, Reports = reports, Entries = new State[cfg.Blocks.Length], Lo = fin.FirstBlockOrdinal, Hi = fin.LastBlockOrdinal };
            f.Entries[first.Ordinal] = input.Clone();
            f.Work.Add(first.Ordinal);
            int budget = 64 * (f.Hi - f.Lo + 1) + 64;
            while (f.Work.Count > 0 && --budget > 0)
            {
                int b = f.Work.Min;
                f.Work.Remove(b);
                Process(cfg.Blocks[b], f);
            }
            var exit = f.Exit ?? input.Clone();
            cache[key] = Pair(input, exit);
            return exit.Clone();
        }

        // The cache keeps (input, output) pairs in one State of doubled width.
        static State Pair(State a, State b)
        {
            int n = a.Own.Length;
            var p = new State(2 * n);
            Array.Copy(a.Own, p.Own, n); Array.Copy(b.Own, 0, p.Own, n, n);
            Array.Copy(a.Ts, p.Ts, n); Array.Copy(b.Ts, 0, p.Ts, n, n);
            int f = a.Flag.Length;
            p.Flag = new byte[2 * f];
            Array.Copy(a.Flag, p.Flag, f); Array.Copy(b.Flag, 0, p.Flag, f, Math.Min(f, b.Flag.Length));
            return p;
        }

        static bool Same(State pair, State input, out State output)
        {
            int n = input.Own.Length;
            output = null;
            for (int i = 0; i < n; i++)
                if (pair.Own[i] != input.Own[i] || pair.Ts[i] != input.Ts[i]) return false;
            int f = input.Flag.Length;
            if (pair.Flag.Length != 2 * f) return false;
            for (int i = 0; i < f; i++)
                if (pair.Flag[i] != input.Flag[i]) return false;
            output = new State(n) { Flag = new byte[f] };
            Array.Copy(pair.Own, n, output.Own, 0, n);
            Array.Copy(pair.Ts, n, output.Ts, 0, n);
            Array.Copy(pair.Flag, f, output.Flag, 0, f);
            return true;
        }

        static int Hash(State st)
        {
            unchecked
            {
                int h = 17;
                for (int i = 0; i < st.Own.Length; i++) h = h * 31 + st.Own[i] * 7 + st.Ts[i].GetHashCode();
                for (int i = 0; i < st.Flag.Length; i++) h = h * 5 + st.Flag[i];
                return h;
            }
        }

        // ---- reporting -------------------------------------------------------------------------------

        void Report(DiagnosticDescriptor rule, Location at, string key, params object[] args)
            => Report(rule, at, key, null, args);

        void Report(DiagnosticDescriptor rule, Location at, string key, ImmutableDictionary<string, string> props, params object[] args)
        {
            if (!Reporting || at == null) return;
            if (!reported.Add((rule.Id, at.SourceSpan, key))) return;
            report(Diagnostic.Create(rule, at, props, args));
        }
    }
}

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
    /// </summary>
    internal sealed class OwnershipFlow
    {
        const byte Owned = 1, Released = 2, Unassigned = 4;
        const ulong Unknown = 1UL << 63, PeerClosed = 1UL << 62, StateBits = (1UL << Protocol.MaxStates) - 1;

        sealed class Var
        {
            public ISymbol Symbol;
            public string Name;
            public bool IsParameter, Borrowed, NoLeakCheck;
            public Protocol Protocol; // endpoints with a known protocol only
            public string Release;    // "Free" or "Close"
        }

        sealed class State
        {
            public byte[] Own;
            public ulong[] Ts;
            // Receive outcomes already ruled out on this path (the != edges of a switch), per receive call;
            // copy-on-write. When every outcome is ruled out the path is infeasible.
            public Dictionary<IOperation, ulong> Excl;
            public State(int n) { Own = new byte[n]; Ts = new ulong[n]; }
            public State Clone() { var s = new State(0) { Own = (byte[])Own.Clone(), Ts = (ulong[])Ts.Clone(), Excl = Excl }; return s; }

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
        readonly HashSet<(string, TextSpan, string)> reported = new HashSet<(string, TextSpan, string)>();
        readonly Dictionary<ControlFlowRegion, Dictionary<int, State>> finallyCache = new Dictionary<ControlFlowRegion, Dictionary<int, State>>();

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

        bool Reporting => reportingPass && frame != null && frame.Main;

        // ---- set-up ---------------------------------------------------------------------------------

        void AddVar(ISymbol symbol, ITypeSymbol type, bool isParameter)
        {
            if (index.ContainsKey(symbol) || !model.IsTracked(type)) return;
            var v = new Var { Symbol = symbol, Name = symbol.Name, IsParameter = isParameter };
            if (ChannelModel.IsEndpoint(type))
            {
                v.Release = "Close";
                var p = model.GetProtocol(type);
                if (p != null && p.Valid) v.Protocol = p;
            }
            else if (ChannelModel.IsAffine(type)) { v.Release = "Take"; v.NoLeakCheck = true; }
            else v.Release = "Free";
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
            var st = new State(vars.Count);
            for (int i = 0; i < vars.Count; i++)
            {
                var v = vars[i];
                st.Own[i] = Unassigned;
                if (!v.IsParameter) continue;
                var p = (IParameterSymbol)v.Symbol;
                if (p.RefKind == RefKind.Out) { v.NoLeakCheck = true; continue; }
                st.Own[i] = Owned;
                v.Borrowed = p.RefKind != RefKind.None || !ChannelModel.HasClaims(p);
                st.Ts[i] = v.Protocol == null ? 0 : StateMask(v.Protocol, ChannelModel.StateOf(p.GetAttributes()));
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
            if (cache.TryGetValue(key, out var cached) && Same(cached, input, out var result)) return result.Clone();
            var f = new Frame { Main = false, Entries = new State[cfg.Blocks.Length], Lo = fin.FirstBlockOrdinal, Hi = fin.LastBlockOrdinal };
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
            return p;
        }

        static bool Same(State pair, State input, out State output)
        {
            int n = input.Own.Length;
            output = null;
            for (int i = 0; i < n; i++)
                if (pair.Own[i] != input.Own[i] || pair.Ts[i] != input.Ts[i]) return false;
            output = new State(n);
            Array.Copy(pair.Own, n, output.Own, 0, n);
            Array.Copy(pair.Ts, n, output.Ts, 0, n);
            return true;
        }

        static int Hash(State st)
        {
            unchecked
            {
                int h = 17;
                for (int i = 0; i < st.Own.Length; i++) h = h * 31 + st.Own[i] * 7 + st.Ts[i].GetHashCode();
                return h;
            }
        }

        /// <summary>An exception at this point: run enclosing finally regions, reach a catch, or leave the function.</summary>
        void Throw(BasicBlock from, State st, Location at, string call)
        {
            if (!frame.Main) return;
            st = st.Clone();
            for (var r = from.EnclosingRegion; r != null; r = r.EnclosingRegion)
            {
                foreach (var l in r.Locals)
                    if (index.TryGetValue(l, out int i)) LeakOnThrow(st, i, at, call);
                if (r.Kind == ControlFlowRegionKind.Try)
                {
                    var parent = r.EnclosingRegion;
                    if (parent.Kind == ControlFlowRegionKind.TryAndFinally)
                    {
                        var saved = reportingPass;
                        st = RunFinally(parent.NestedRegions[parent.NestedRegions.Length - 1], st);
                        reportingPass = saved;
                    }
                    else if (parent.Kind == ControlFlowRegionKind.TryAndCatch)
                    {
                        for (int h = 1; h < parent.NestedRegions.Length; h++)
                            Merge(mainFrame, cfg.Blocks[parent.NestedRegions[h].FirstBlockOrdinal], st);
                        return;
                    }
                }
            }
            for (int i = 0; i < vars.Count; i++)
                if (vars[i].IsParameter) LeakOnThrow(st, i, at, call);
        }

        void LeakOnThrow(State st, int i, Location at, string call)
        {
            var v = vars[i];
            if ((st.Own[i] & Owned) != 0 && !v.Borrowed && !v.NoLeakCheck && at != null)
                Report(Rules.Leak, at, v.Name, v.Name, call != null
                    ? "it is still owned if '" + call + "' throws, and no try/finally or catch releases it"
                    : "it is still owned when this exception leaves its scope");
            st.Own[i] = Unassigned;
            st.Ts[i] = 0;
        }

        void LeaveScope(State st, int i, Func<Location> where)
        {
            var v = vars[i];
            if ((st.Own[i] & Owned) != 0 && !v.Borrowed && !v.NoLeakCheck && Reporting)
            {
                var loc = where();
                var props = ImmutableDictionary<string, string>.Empty.Add("var", v.Name).Add("release", v.Release).Add("kind", "scope");
                Report(Rules.Leak, loc, v.Name, props, v.Name, (st.Own[i] & (Released | Unassigned)) != 0
                    ? "it is still owned on some path that leaves its scope here (free, close or transfer it on every path)"
                    : "it is still owned when it goes out of scope here (free, close or transfer it first)");
            }
            st.Own[i] = Unassigned;
            st.Ts[i] = 0;
        }

        // ---- locations -------------------------------------------------------------------------------

        Location ThrowLocation(BasicBlock b)
        {
            if (b.BranchValue != null)
            {
                var t = b.BranchValue.Syntax.FirstAncestorOrSelf<SyntaxNode>(n => n is ThrowStatementSyntax || n is ThrowExpressionSyntax);
                return (t ?? b.BranchValue.Syntax).GetLocation();
            }
            var last = b.Operations.LastOrDefault();
            if (last != null)
            {
                var next = FindJump(last.Syntax.Span.End, null, k => k is ThrowStatementSyntax);
                if (next != null) return next.GetLocation();
                return last.Syntax.GetLocation();
            }
            return null;
        }

        SyntaxNode FindJump(int after, SyntaxNode scope, Func<SyntaxNode, bool> kind)
        {
            var root = scope ?? cfg.OriginalOperation.Syntax;
            SyntaxNode best = null;
            foreach (var n in root.DescendantNodes(n => !(n is AnonymousFunctionExpressionSyntax || n is LocalFunctionStatementSyntax)))
                if (n.SpanStart >= after && kind(n) && (best == null || n.SpanStart < best.SpanStart)) best = n;
            return best;
        }

        Location ScopeExitLocation(BasicBlock from, ControlFlowBranch branch, ILocalSymbol local)
        {
            if (branch.Semantics == ControlFlowBranchSemantics.Return && from.BranchValue != null)
            {
                var ret = from.BranchValue.Syntax.FirstAncestorOrSelf<SyntaxNode>(n => n is ReturnStatementSyntax || n is ArrowExpressionClauseSyntax);
                return (ret ?? from.BranchValue.Syntax).GetLocation();
            }
            SyntaxNode scope = null;
            if (local != null)
            {
                var decl = local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct);
                scope = decl?.FirstAncestorOrSelf<SyntaxNode>(n => n is BlockSyntax || n is SwitchSectionSyntax);
            }
            if (scope == null)
                scope = (cfg.OriginalOperation.Syntax as BaseMethodDeclarationSyntax)?.Body
                        ?? (SyntaxNode)(cfg.OriginalOperation.Syntax as LocalFunctionStatementSyntax)?.Body
                        ?? cfg.OriginalOperation.Syntax;
            var lastSyntax = from.BranchValue?.Syntax ?? from.Operations.LastOrDefault()?.Syntax;
            if (lastSyntax != null && scope.Span.Contains(lastSyntax.Span))
            {
                var jump = FindJump(lastSyntax.Span.End, scope, n => n is ReturnStatementSyntax || n is BreakStatementSyntax
                    || n is ContinueStatementSyntax || n is GotoStatementSyntax || n is YieldStatementSyntax);
                if (jump != null) return jump.GetLocation();
            }
            if (scope is BlockSyntax block) return block.CloseBraceToken.GetLocation();
            if (scope is SwitchSectionSyntax section) return section.Statements.Last().GetLocation();
            if (scope is AnonymousFunctionExpressionSyntax || scope is ArrowExpressionClauseSyntax) return scope.GetLocation();
            return local?.Locations.FirstOrDefault() ?? scope.GetLocation();
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

        // ---- operations -----------------------------------------------------------------------------

        internal static IOperation Unwrap(IOperation o)
        {
            while (true)
            {
                if (o is IConversionOperation c && !c.Conversion.IsUserDefined) o = c.Operand;
                else if (o is IParenthesizedOperation p) o = p.Operand;
                else return o;
            }
        }

        int VarOf(IOperation o)
        {
            o = Unwrap(o);
            switch (o)
            {
                case ILocalReferenceOperation l: return index.TryGetValue(l.Local, out int i) ? i : -1;
                case IParameterReferenceOperation p: return index.TryGetValue(p.Parameter, out int j) ? j : -1;
                case IFlowCaptureReferenceOperation c: return alias.TryGetValue(c.Id, out int k) ? k : -1;
                default: return -1;
            }
        }

        void UseCheck(int i, SyntaxNode at)
        {
            if ((s.Own[i] & Released) != 0)
                Report(Rules.UseAfterTransfer, at.GetLocation(), vars[i].Name, vars[i].Name,
                    (s.Own[i] & (Owned | Unassigned)) != 0 ? " on some path" : "");
        }

        void Transfer(int i, SyntaxNode at, bool explicitTransfer)
        {
            if (explicitTransfer)
            {
                if ((s.Own[i] & Released) != 0)
                    Report(Rules.DoubleTransfer, at.GetLocation(), vars[i].Name, vars[i].Name,
                        (s.Own[i] & (Owned | Unassigned)) != 0 ? " on some path" : "");
                else if (s.Own[i] == Unassigned) return;
            }
            s.Own[i] = Released;
            s.Ts[i] = 0;
        }

        bool IsFresh(IOperation o)
        {
            o = Unwrap(o);
            return (o is IInvocationOperation || o is IObjectCreationOperation) && model.IsTracked(o.Type);
        }

        void Eval(IOperation op)
        {
            if (op == null) return;
            switch (op)
            {
                case ILocalReferenceOperation l:
                    if (!l.IsDeclaration && index.TryGetValue(l.Local, out int li)) UseCheck(li, op.Syntax);
                    return;
                case IParameterReferenceOperation p:
                    if (index.TryGetValue(p.Parameter, out int pi)) UseCheck(pi, op.Syntax);
                    return;
                case IFlowCaptureReferenceOperation cr:
                    if (alias.TryGetValue(cr.Id, out int ci)) UseCheck(ci, op.Syntax);
                    return;
                case IFlowCaptureOperation fc:
                    {
                        int v = VarOf(fc.Value);
                        if (v >= 0) { UseCheck(v, fc.Value.Syntax); alias[fc.Id] = v; return; }
                        Eval(fc.Value);
                        var inner = Unwrap(fc.Value);
                        if (inner is IInvocationOperation && pending.ContainsKey(inner)) captureCall[fc.Id] = inner;
                        return;
                    }
                case ISimpleAssignmentOperation a:
                    EvalAssignment(a);
                    return;
                case IInvocationOperation inv:
                    EvalCall(inv.TargetMethod, inv.Instance, inv.Arguments, inv);
                    return;
                case IObjectCreationOperation oc:
                    EvalCall(oc.Constructor, null, oc.Arguments, oc);
                    Eval(oc.Initializer);
                    return;
                case IArrayCreationOperation ac:
                    EvalArrayCreation(ac);
                    return;
                case IFlowAnonymousFunctionOperation _:
                case IAnonymousFunctionOperation _:
                case ILocalFunctionOperation _:
                    return;
                case IThrowOperation t:
                    Eval(t.Exception);
                    Throw(current, s, op.Syntax.GetLocation(), null);
                    return;
                default:
                    foreach (var child in op.ChildOperations) Eval(child);
                    return;
            }
        }

        void EvalArrayCreation(IArrayCreationOperation ac)
        {
            foreach (var d in ac.DimensionSizes) Eval(d);
            if (ac.Initializer == null) return;
            var parent = ac.Parent;
            while (parent is IConversionOperation) parent = parent.Parent;
            bool lent = parent is IArgumentOperation arg && arg.Parameter?.ContainingType != null
                && ChannelModel.IsSingularityNamespace(arg.Parameter.ContainingType.ContainingNamespace);
            foreach (var e in ac.Initializer.ElementValues)
            {
                int v = VarOf(e);
                if (v >= 0) { UseCheck(v, e.Syntax); if (!lent) Transfer(v, e.Syntax, false); }
                else Eval(e);
            }
        }

        struct Value
        {
            public int Var;         // >= 0: the value of a tracked variable (a move)
            public bool Null;       // null or default
            public ulong Ts;        // typestate of a fresh endpoint
            public Protocol Proto;
        }

        Value EvalSource(IOperation value)
        {
            var v = Unwrap(value);
            int i = VarOf(v);
            if (i >= 0) { UseCheck(i, v.Syntax); return new Value { Var = i }; }
            if (v is ILiteralOperation || v is IDefaultValueOperation || (v.ConstantValue.HasValue && v.ConstantValue.Value == null))
            {
                Eval(v);
                return new Value { Var = -1, Null = true };
            }
            ulong ts = Unknown;
            Protocol proto = null;
            switch (v)
            {
                case IInvocationOperation inv:
                    ts = EvalCall(inv.TargetMethod, inv.Instance, inv.Arguments, inv);
                    proto = model.GetProtocol(inv.Type);
                    break;
                case IObjectCreationOperation oc:
                    EvalCall(oc.Constructor, null, oc.Arguments, oc);
                    Eval(oc.Initializer);
                    break;
                default:
                    Eval(value);
                    break;
            }
            return new Value { Var = -1, Ts = ts, Proto = proto };
        }

        void Assign(int target, Value value, SyntaxNode at)
        {
            var t = vars[target];
            if (value.Var == target) return;
            if ((s.Own[target] & Owned) != 0 && !t.Borrowed && !t.NoLeakCheck)
                Report(Rules.Leak, at.GetLocation(), t.Name, t.Name, "it is overwritten while it still owns a tracked value");
            if (value.Var >= 0)
            {
                byte own = s.Own[value.Var];
                ulong ts = s.Ts[value.Var];
                Transfer(value.Var, at, false);
                s.Own[target] = (own & Owned) != 0 ? (byte)(own & ~Released) : own;
                if (s.Own[target] == 0) s.Own[target] = Unassigned;
                s.Ts[target] = t.Protocol != null && t.Protocol == vars[value.Var].Protocol ? ts : (t.Protocol != null ? Unknown : 0);
                return;
            }
            if (value.Null) { s.Own[target] = Unassigned; s.Ts[target] = 0; return; }
            s.Own[target] = Owned;
            s.Ts[target] = t.Protocol == null ? 0 : (value.Proto == t.Protocol ? value.Ts : Unknown);
        }

        void EvalAssignment(ISimpleAssignmentOperation a)
        {
            var target = Unwrap(a.Target);
            int ti = VarOf(target);
            if (ti >= 0 && !(target is IFlowCaptureReferenceOperation))
            {
                var value = EvalSource(a.Value);
                Assign(ti, value, a.Syntax);
                return;
            }
            if (target is IDiscardOperation && model.IsTracked(a.Value.Type))
            {
                var value = EvalSource(a.Value);
                if (value.Var >= 0) Transfer(value.Var, a.Syntax, false);
                if (!value.Null && !ChannelModel.IsAffine(a.Value.Type))
                    Report(Rules.Leak, a.Syntax.GetLocation(), "_", value.Var >= 0 ? vars[value.Var].Name : "_",
                        "it is assigned to a discard and lost");
                return;
            }
            if (target is ILocalReferenceOperation lr && !model.IsTracked(lr.Type))
            {
                Eval(a.Value);
                var call = Unwrap(a.Value);
                if (call is IInvocationOperation && pending.ContainsKey(call)) resultLocal[lr.Local] = call;
                else resultLocal.Remove(lr.Local);
                return;
            }
            if (target is IFieldReferenceOperation || target is IPropertyReferenceOperation || target is IArrayElementReferenceOperation)
            {
                foreach (var child in target.ChildOperations) Eval(child);
                int v = VarOf(a.Value);
                if (v >= 0) { UseCheck(v, a.Value.Syntax); Transfer(v, a.Syntax, false); } // stored (SING0004): ownership is gone
                else Eval(a.Value);
                return;
            }
            Eval(a.Target);
            Eval(a.Value);
        }

        void EvalReturn(IOperation value)
        {
            int v = VarOf(value);
            if (v < 0) { Eval(value); return; }
            UseCheck(v, value.Syntax);
            var p = vars[v].Protocol;
            var declared = ChannelModel.StateOf(function.GetReturnTypeAttributes());
            if (p != null && declared != null)
                CheckDeclaredState(v, p, declared, value.Syntax, "returned by '" + function.Name + "', whose result is [State(\"" + declared + "\")]");
            Transfer(v, value.Syntax, false);
        }

        void CheckDeclaredState(int v, Protocol p, string declared, SyntaxNode at, string what)
        {
            ulong want = StateMask(p, declared);
            ulong have = s.Ts[v];
            if (want == Unknown || have == 0 || (have & (Unknown | PeerClosed)) != 0 || have == want) return;
            Report(Rules.ProtocolViolation, at.GetLocation(), vars[v].Name,
                "'" + vars[v].Name + "' (" + p.TypeName + ") is in state " + p.Names(have) + " but is " + what);
        }

        bool MayThrow(IMethodSymbol m)
        {
            if (m == null) return false;
            var t = m.ContainingType;
            if (t == null) return true;
            if (t.SpecialType != SpecialType.None) return false;
            return !model.IsTrustedApi(t);
        }

        /// <summary>A call: receiver, arguments (claims, borrows), the exception edge, out arguments, protocol step. Returns the typestate of a returned endpoint.</summary>
        ulong EvalCall(IMethodSymbol method, IOperation instance, ImmutableArray<IArgumentOperation> args, IOperation op)
        {
            int recv = -1;
            bool releasing = method != null && !method.IsStatic
                && ((method.Parameters.Length == 0 && (method.Name == "Free" || method.Name == "Close") && method.ContainingType != null && model.IsTracked(method.ContainingType))
                    || ChannelModel.HasAttribute(method.GetAttributes(), "ClaimsAttribute"));
            if (instance != null)
            {
                recv = VarOf(instance);
                if (recv >= 0) { if (!releasing) UseCheck(recv, instance.Syntax); }
                else
                {
                    Eval(instance);
                    if (IsFresh(instance) && !ChannelModel.IsAffine(instance.Type) && !(method.Parameters.Length == 0 && (method.Name == "Free" || method.Name == "Close")))
                        Report(Rules.Leak, instance.Syntax.GetLocation(), "tmp", Unwrap(instance).Syntax.ToString(),
                            "the tracked value is used as a temporary and never freed");
                }
            }
            if (method == null) { foreach (var a in args) Eval(a.Value); return Unknown; }

            bool releaseThis = recv >= 0 && releasing;
            var proto = recv >= 0 ? vars[recv].Protocol : null;
            bool generatedSend = proto != null && method.Name.StartsWith("Send", StringComparison.Ordinal);
            bool tref = method.ContainingType != null && ChannelModel.IsTRef(method.ContainingType)
                && (method.Name == "Release" || method.MethodKind == MethodKind.Constructor);

            // Protocol step, checked against the state before the call.
            ulong newTs = 0;
            bool step = false;
            Pending pend = null;
            if (proto != null && (s.Own[recv] & Owned) != 0)
            {
                string name = method.Name;
                if (name.StartsWith("Send", StringComparison.Ordinal) && proto.SendMessages.Contains(name.Substring(4)))
                {
                    newTs = CheckMessage(recv, true, name.Substring(4), op.Syntax);
                    step = true;
                }
                else if (name.StartsWith("Recv", StringComparison.Ordinal) && proto.ReceiveMessages.Contains(name.Substring(4)))
                {
                    pend = new Pending { Var = recv, Pre = s.Ts[recv], IsRecvX = true, Outcomes = new List<string> { "Message", "ChannelClosed" } };
                    if (HasTimeout(args)) pend.Outcomes.Add("TimedOut");
                    newTs = CheckMessage(recv, false, name.Substring(4), op.Syntax);
                    step = true;
                }
                else if (name == "Receive")
                {
                    pend = new Pending { Var = recv, Pre = s.Ts[recv], IsRecvX = false };
                    ulong pre = s.Ts[recv];
                    if (pre != 0 && (pre & (Unknown | PeerClosed)) == 0)
                    {
                        pend.Outcomes = proto.Receivable(pre);
                        pend.Outcomes.Add("ChannelClosed");
                        if (HasTimeout(args)) pend.Outcomes.Add("TimedOut");
                    }
                    newTs = CheckReceive(recv, op);
                    step = true;
                }
                else if (name == "Close" && method.Parameters.Length == 0)
                    CheckClose(recv, op.Syntax);
            }

            // Arguments, in order.
            var borrowed = new List<int>();
            foreach (var a in args)
            {
                var p = a.Parameter;
                if (p == null) { Eval(a.Value); continue; }
                if (p.RefKind == RefKind.Out) continue;
                int v = VarOf(a.Value);
                if (p.RefKind == RefKind.Ref)
                {
                    if (v >= 0) { UseCheck(v, a.Value.Syntax); borrowed.Add(v); } else Eval(a.Value);
                    continue;
                }
                bool tracked = model.IsTracked(p.Type) || model.IsTracked(Unwrap(a.Value).Type);
                if (!tracked) { if (v >= 0) { UseCheck(v, a.Value.Syntax); borrowed.Add(v); } else Eval(a.Value); continue; }
                bool claims = ChannelModel.HasClaims(p) || generatedSend || tref;
                var stateAttr = ChannelModel.StateOf(p.GetAttributes());
                // An endpoint carried by a generated SendX travels in its contract's initial state
                // unless the message parameter says [State] (the runtime checks IsInState(null)).
                if (stateAttr == null && generatedSend && v >= 0 && vars[v].Protocol != null)
                    stateAttr = vars[v].Protocol.States[vars[v].Protocol.Initial];
                if (v >= 0)
                {
                    if (!claims) UseCheck(v, a.Value.Syntax);
                    if (vars[v].Protocol != null && stateAttr != null && (s.Own[v] & Owned) != 0)
                        CheckDeclaredState(v, vars[v].Protocol, stateAttr, a.Value.Syntax,
                            "passed to parameter '" + p.Name + "' of '" + method.Name + "', which expects state '" + stateAttr + "'");
                    if (claims) Transfer(v, a.Value.Syntax, true);
                    else borrowed.Add(v);
                }
                else
                {
                    Eval(a.Value);
                    if (!claims && IsFresh(a.Value) && !ChannelModel.IsAffine(a.Value.Type))
                        Report(Rules.Leak, a.Value.Syntax.GetLocation(), "arg", Unwrap(a.Value).Syntax.ToString(),
                            "it is passed to '" + p.Name + "' of '" + method.Name + "', which does not claim it, and is lost");
                }
            }
            if (tref && method.Name == "Release" && instance != null && Unwrap(instance) is IFieldReferenceOperation)
            {
                // handled by [State] on the argument; nothing else to do
            }

            // The exception edge: the callee may throw after taking what it claims.
            if (MayThrow(method)) Throw(current, s, op.Syntax.GetLocation(), method.Name);

            // Borrowed endpoints may have been moved along their protocol by the callee.
            foreach (var v in borrowed)
                if (vars[v].Protocol != null && (s.Own[v] & Owned) != 0) s.Ts[v] = Unknown;

            // Out arguments: fresh ownership.
            bool received = method.Name == "NewChannel" || (method.ContainingType != null && (ChannelModel.IsEndpoint(method.ContainingType)
                || (method.ContainingType.ContainingType != null && ChannelModel.IsEndpoint(method.ContainingType.ContainingType))));
            foreach (var a in args)
            {
                var p = a.Parameter;
                if (p == null || p.RefKind != RefKind.Out) continue;
                var target = Unwrap(a.Value);
                if (target is IDeclarationExpressionOperation de) target = Unwrap(de.Expression);
                int v = VarOf(target);
                if (!model.IsTracked(p.Type)) { if (v < 0) Eval(target); continue; }
                var pp = model.GetProtocol(p.Type);
                ulong ts = pp == null ? 0 : StateMask(pp, ChannelModel.StateOf(p.GetAttributes()) ?? (received ? pp.States[pp.Initial] : null));
                if (v >= 0)
                {
                    Assign(v, new Value { Var = -1, Ts = ts, Proto = pp }, a.Syntax);
                    pend?.Outs.Add(v);
                }
                else if (target is IDiscardOperation && !ChannelModel.IsAffine(p.Type))
                    Report(Rules.Leak, a.Syntax.GetLocation(), "_", "_", "the tracked value received from '" + method.Name + "' is discarded");
            }
            foreach (var v in borrowed)
                if (args.Any(x => x.Parameter?.RefKind == RefKind.Ref && VarOf(x.Value) == v) && vars[v].Protocol != null) s.Ts[v] = Unknown;

            if (releaseThis) Transfer(recv, op.Syntax, true);
            if (step && (s.Own[recv] & Owned) != 0) s.Ts[recv] = newTs;
            if (pend != null)
            {
                pending[op] = pend;
                if (s.Excl != null && s.Excl.ContainsKey(op))
                {
                    var copy = new Dictionary<IOperation, ulong>(s.Excl);
                    copy.Remove(op);
                    s.Excl = copy.Count == 0 ? null : copy;
                }
            }

            // The result.
            if (!model.IsTracked(method.ReturnType)) return 0;
            if (op.Parent is IExpressionStatementOperation && !ChannelModel.IsAffine(method.ReturnType))
                Report(Rules.Leak, op.Syntax.GetLocation(), "result", method.Name, "the tracked value returned by '" + method.Name + "' is discarded");
            var rp = model.GetProtocol(method.ReturnType);
            if (rp == null) return 0;
            string st = ChannelModel.StateOf(method.GetReturnTypeAttributes());
            if (st == null && tref && method.Name == "Acquire" && Unwrap(instance) is IFieldReferenceOperation fr)
                st = ChannelModel.StateOf(fr.Field.GetAttributes());
            if (st == null && received) st = rp.States[rp.Initial];
            return StateMask(rp, st);
        }

        ulong CheckMessage(int v, bool send, string msg, SyntaxNode at)
        {
            var p = vars[v].Protocol;
            ulong ts = s.Ts[v];
            string op = (send ? "Send" : "Recv") + msg;
            if (ts == 0 || (ts & (Unknown | PeerClosed)) != 0)
            {
                int t = p.UniqueTarget(send, msg);
                return t >= 0 ? 1UL << t : Unknown;
            }
            if (!Single(ts))
            {
                // Report, then go on with the states that allow it (never widen to unknown here, or the
                // fixpoint would lose the very disagreement it reports).
                Report(Rules.ProtocolViolation, at.GetLocation(), vars[v].Name, Disagree(v, p, ts, op));
                ulong next = 0;
                for (int i = 0; i < Protocol.MaxStates; i++)
                    if ((ts & (1UL << i)) != 0 && p.Transitions.TryGetValue((i, send, msg), out int t)) next |= 1UL << t;
                return next != 0 ? next : ts;
            }
            int from = Bit(ts);
            if (p.Transitions.TryGetValue((from, send, msg), out int to)) return 1UL << to;
            var allowed = p.Allowed(from);
            Report(Rules.ProtocolViolation, at.GetLocation(), vars[v].Name,
                op + " is not allowed on '" + vars[v].Name + "' (" + p.TypeName + ") in state '" + p.States[from] + "'; allowed there: "
                + (allowed.Count == 0 ? "nothing but Close()" : string.Join(", ", allowed)));
            return ts; // stay: the step did not happen
        }

        string Disagree(int v, Protocol p, ulong ts, string op)
            => "'" + vars[v].Name + "' (" + p.TypeName + ") is in state " + p.Names(ts)
               + " depending on the path taken; the paths must agree on the protocol state before " + op;

        static bool Single(ulong ts) => (ts & StateBits) != 0 && (ts & (ts - 1)) == 0;

        static int Bit(ulong ts)
        {
            for (int i = 0; i < 64; i++) if ((ts & (1UL << i)) != 0) return i;
            return -1;
        }

        void CheckClose(int v, SyntaxNode at)
        {
            var p = vars[v].Protocol;
            ulong ts = s.Ts[v];
            if (ts == 0 || (ts & (Unknown | PeerClosed)) != 0) return;
            if (!Single(ts))
            {
                if ((ts & ~p.ClosableMask) != 0) Report(Rules.ProtocolViolation, at.GetLocation(), vars[v].Name, Disagree(v, p, ts, "Close()"));
                return;
            }
            if ((ts & p.ClosableMask) != 0) return;
            Report(Rules.ProtocolViolation, at.GetLocation(), vars[v].Name,
                "Close() is not allowed on '" + vars[v].Name + "' (" + p.TypeName + ") in state '" + p.States[Bit(ts)] + "'; it may be closed in state "
                + p.Names(p.ClosableMask));
        }

        ulong CheckReceive(int v, IOperation op)
        {
            var p = vars[v].Protocol;
            ulong ts = s.Ts[v];
            if (Reporting && op is IInvocationOperation inv) CheckSwitchCompleteness(v, p, ts, inv);
            if (ts == 0 || (ts & (Unknown | PeerClosed)) != 0) return Unknown;
            if (!Single(ts))
            {
                Report(Rules.ProtocolViolation, op.Syntax.GetLocation(), vars[v].Name, Disagree(v, p, ts, "Receive"));
                return ts;
            }
            int from = Bit(ts);
            var receivable = p.Receivable(ts);
            if (receivable.Count == 0)
            {
                var allowed = p.Allowed(from);
                Report(Rules.ProtocolViolation, op.Syntax.GetLocation(), vars[v].Name,
                    "Receive is not allowed on '" + vars[v].Name + "' (" + p.TypeName + ") in state '" + p.States[from] + "', where this side "
                    + (allowed.Count == 0 ? "may only close" : "must send: " + string.Join(", ", allowed)));
                return ts;
            }
            ulong targets = 0;
            foreach (var m in receivable) targets |= 1UL << p.Transitions[(from, false, m)];
            return targets;
        }

        void CheckSwitchCompleteness(int v, Protocol p, ulong pre, IInvocationOperation inv)
        {
            SyntaxNode n = inv.Syntax.Parent;
            while (n is ParenthesizedExpressionSyntax) n = n.Parent;
            if (!(n is SwitchStatementSyntax sw)) return;
            var semantic = inv.SemanticModel ?? cfg.OriginalOperation.SemanticModel;
            if (semantic == null) return;
            var handled = new HashSet<string>();
            foreach (var section in sw.Sections)
                foreach (var label in section.Labels)
                {
                    switch (label)
                    {
                        case DefaultSwitchLabelSyntax _:
                            return;
                        case CaseSwitchLabelSyntax c:
                            AddLabel(semantic, c.Value, handled);
                            break;
                        case CasePatternSwitchLabelSyntax cp:
                            if (cp.WhenClause != null) break;
                            if (cp.Pattern is ConstantPatternSyntax k) AddLabel(semantic, k.Expression, handled);
                            else if (cp.Pattern is DiscardPatternSyntax || cp.Pattern is VarPatternSyntax || cp.Pattern is DeclarationPatternSyntax) return;
                            break;
                    }
                }
            var required = new List<string>();
            if (pre != 0 && (pre & (Unknown | PeerClosed)) == 0) required.AddRange(p.Receivable(pre));
            required.Add("ChannelClosed");
            if (HasTimeout(inv.Arguments)) required.Add("TimedOut");
            var missing = required.Where(m => !handled.Contains(m)).ToList();
            if (missing.Count == 0) return;
            var props = ImmutableDictionary<string, string>.Empty
                .Add("missing", string.Join(",", missing))
                .Add("tag", inv.Type?.ToDisplayString() ?? "");
            Report(Rules.IncompleteReceive, sw.SwitchKeyword.GetLocation(), vars[v].Name, props, vars[v].Name, p.TypeName,
                pre != 0 && (pre & (Unknown | PeerClosed)) == 0 ? p.Names(pre) : "unknown",
                string.Join(", ", missing.Select(m => "'" + m + "'")));
        }

        static bool HasTimeout(ImmutableArray<IArgumentOperation> args)
        {
            foreach (var a in args)
                if (a.Parameter != null && a.Parameter.Name.IndexOf("timeout", StringComparison.OrdinalIgnoreCase) >= 0
                    && a.ArgumentKind == ArgumentKind.Explicit && !(a.Value.ConstantValue.HasValue && Equals(a.Value.ConstantValue.Value, -1)))
                    return true;
            return false;
        }

        static void AddLabel(SemanticModel semantic, ExpressionSyntax e, HashSet<string> handled)
        {
            var name = EnumName(semantic.GetSymbolInfo(e).Symbol, semantic.GetTypeInfo(e).Type, semantic.GetConstantValue(e));
            if (name != null) handled.Add(name);
        }

        static string EnumName(ISymbol symbol, ITypeSymbol type, Optional<object> constant)
        {
            if (symbol is IFieldSymbol f && f.HasConstantValue) return f.Name;
            if (type?.TypeKind == TypeKind.Enum && constant.HasValue)
                foreach (var m in type.GetMembers())
                    if (m is IFieldSymbol ef && ef.HasConstantValue && Equals(ef.ConstantValue, constant.Value)) return ef.Name;
            return null;
        }

        // ---- branch refinement ---------------------------------------------------------------------

        /// <summary>Narrows the state on one edge of a branch; false if the edge cannot be taken.</summary>
        bool Refine(State st, IOperation cond, bool value)
        {
            if (cond == null) return true;
            cond = Unwrap(cond);
            if (cond.ConstantValue.HasValue && cond.ConstantValue.Value is bool constant) return constant == value;
            while (cond is IUnaryOperation u && u.OperatorKind == UnaryOperatorKind.Not) { cond = Unwrap(u.Operand); value = !value; }
            switch (cond)
            {
                case IIsNullOperation isNull:
                    if (value) SetNull(st, VarOf(isNull.Operand));
                    break;
                case IBinaryOperation b when b.OperatorKind == BinaryOperatorKind.Equals || b.OperatorKind == BinaryOperatorKind.NotEquals:
                    {
                        bool eq = (b.OperatorKind == BinaryOperatorKind.Equals) == value;
                        if (IsNull(b.RightOperand)) { if (eq) SetNull(st, VarOf(b.LeftOperand)); }
                        else if (IsNull(b.LeftOperand)) { if (eq) SetNull(st, VarOf(b.RightOperand)); }
                        else
                        {
                            var r = RefineReceive(st, b.LeftOperand, b.RightOperand, eq);
                            if (r == null) r = RefineReceive(st, b.RightOperand, b.LeftOperand, eq);
                            return r ?? true;
                        }
                        break;
                    }
                case IIsPatternOperation ip:
                    {
                        var pattern = ip.Pattern;
                        bool pv = value;
                        while (pattern is INegatedPatternOperation neg) { pattern = neg.Pattern; pv = !pv; }
                        if (pattern is IConstantPatternOperation cp)
                        {
                            if (IsNull(cp.Value)) { if (pv) SetNull(st, VarOf(ip.Value)); }
                            else return RefineReceive(st, ip.Value, cp.Value, pv) ?? true;
                        }
                        break;
                    }
                case IPropertyReferenceOperation pr when pr.Property.Name == "IsNull":
                    if (value) SetNull(st, VarOf(pr.Instance));
                    break;
            }
            return true;
        }

        static bool IsNull(IOperation o)
        {
            o = Unwrap(o);
            return o.ConstantValue.HasValue && o.ConstantValue.Value == null && (o is ILiteralOperation || o is IDefaultValueOperation);
        }

        void SetNull(State st, int v)
        {
            if (v < 0) return;
            st.Own[v] = (byte)((st.Own[v] & Released) | Unassigned);
            st.Ts[v] = 0;
        }

        /// <summary>null: not a receive result test; else whether the edge is feasible.</summary>
        bool? RefineReceive(State st, IOperation callSide, IOperation constSide, bool eq)
        {
            var call = Unwrap(callSide);
            if (call is IFlowCaptureReferenceOperation cr && captureCall.TryGetValue(cr.Id, out var captured)) call = captured;
            else if (call is ILocalReferenceOperation lr && resultLocal.TryGetValue(lr.Local, out var stored)) call = stored;
            if (!pending.TryGetValue(call, out var p)) return null;
            var k = Unwrap(constSide);
            string name = EnumName((k as IFieldReferenceOperation)?.Field, k.Type, k.ConstantValue);
            if (name == null) return null;
            if (!eq && p.Outcomes != null)
            {
                int bit = p.Outcomes.IndexOf(name);
                if (bit >= 0 && bit < 64)
                {
                    ulong all = p.Outcomes.Count >= 64 ? ulong.MaxValue : (1UL << p.Outcomes.Count) - 1;
                    ulong ex = 0;
                    if (st.Excl != null) st.Excl.TryGetValue(call, out ex);
                    ex |= 1UL << bit;
                    var copy = st.Excl == null ? new Dictionary<IOperation, ulong>() : new Dictionary<IOperation, ulong>(st.Excl);
                    copy[call] = ex;
                    st.Excl = copy;
                    if ((ex & all) == all) return false;
                }
            }
            int v = p.Var;
            if ((st.Own[v] & Owned) == 0) return true;
            if (p.IsRecvX)
            {
                if (name == "Message" && !eq) NoMessage(st, p, JoinTs(PeerClosed, p.Pre));
                else if (name == "ChannelClosed" && eq) NoMessage(st, p, PeerClosed);
                else if (name == "TimedOut" && eq) NoMessage(st, p, p.Pre);
                return true;
            }
            if (!eq) return true;
            if (name == "ChannelClosed") { st.Ts[v] = PeerClosed; return true; }
            if (name == "TimedOut") { st.Ts[v] = p.Pre; return true; }
            var proto = vars[v].Protocol;
            ulong pre = p.Pre;
            if (pre == 0 || (pre & (Unknown | PeerClosed)) != 0)
            {
                int t = proto.UniqueTarget(false, name);
                st.Ts[v] = t >= 0 ? 1UL << t : Unknown;
                return true;
            }
            if (proto.Receivable(pre).Count == 0) { st.Ts[v] = pre; return true; } // the Receive itself was reported
            if (!Single(pre))
            {
                ulong next = 0;
                for (int i = 0; i < Protocol.MaxStates; i++)
                    if ((pre & (1UL << i)) != 0 && proto.Transitions.TryGetValue((i, false, name), out int t)) next |= 1UL << t;
                st.Ts[v] = next != 0 ? next : pre;
                return true;
            }
            int from = Bit(pre);
            if (proto.Transitions.TryGetValue((from, false, name), out int to)) st.Ts[v] = 1UL << to;
            else
            {
                st.Ts[v] = pre;
                Report(Rules.ProtocolViolation, constSide.Syntax.GetLocation(), vars[v].Name,
                    "message '" + name + "' cannot be received on '" + vars[v].Name + "' (" + proto.TypeName + ") in state '" + proto.States[from]
                    + "'; receivable there: " + (proto.Receivable(pre).Count == 0 ? "nothing" : string.Join(", ", proto.Receivable(pre))));
            }
            return true;
        }

        static void NoMessage(State st, Pending p, ulong ts)
        {
            foreach (var o in p.Outs) { st.Own[o] = Unassigned; st.Ts[o] = 0; }
            st.Ts[p.Var] = ts;
        }
    }
}

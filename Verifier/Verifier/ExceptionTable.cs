using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>
/// The shape of a method's exception table (ECMA-335 II.19), checked before the data-flow pass,
/// which assumes it: each clause's try block and handler (with its filter) are disjoint; any two
/// blocks of the table are disjoint or one holds the other, and two clauses share a try block only
/// whole (mutual protection), never a handler; a clause nested in a block of another lies wholly
/// in that block (its try and its handler together); and an inner clause comes before the clauses
/// it is nested in. The fuzzer found tables that broke these (two finally clauses sharing one
/// handler, a clause whose try was in another's try and whose handler in that one's handler): the
/// data-flow pass then never walked the code after them, so it was admitted unverified.
/// </summary>
internal static class ExceptionTable
{
    private readonly record struct Block(int Start, int End)
    {
        public bool Holds(Block b) => Start <= b.Start && b.End <= End;
        public bool Disjoint(Block b) => End <= b.Start || b.End <= Start;
        public bool Same(Block b) => Start == b.Start && End == b.End;
    }

    /// <summary>Null if the table is well formed, else the offset of the first bad clause and why.</summary>
    public static (int Offset, string Why)? Check(MethodBody body)
    {
        var handlers = body.ExceptionHandlers;
        if (handlers.Count == 0) return null;
        var last = body.Instructions[^1];
        int codeEnd = last.Offset + last.GetSize();
        int End(Instruction i) => i?.Offset ?? codeEnd;
        var tries = new Block[handlers.Count];
        var hands = new Block[handlers.Count];
        for (int k = 0; k < handlers.Count; k++)
        {
            var eh = handlers[k];
            tries[k] = new Block(eh.TryStart.Offset, End(eh.TryEnd));
            hands[k] = new Block(eh.HandlerType == ExceptionHandlerType.Filter ? eh.FilterStart.Offset : eh.HandlerStart.Offset, End(eh.HandlerEnd));
            if (tries[k].Start >= tries[k].End || hands[k].Start >= hands[k].End) return (tries[k].Start, $"exception clause {k} has an empty or reversed block");
            if (eh.HandlerType == ExceptionHandlerType.Filter && eh.FilterStart.Offset >= eh.HandlerStart.Offset) return (tries[k].Start, $"exception clause {k}: its filter does not come before its handler");
            if (!tries[k].Disjoint(hands[k])) return (tries[k].Start, $"exception clause {k}: its try block and its handler overlap");
        }
        for (int a = 0; a < handlers.Count; a++)
        {
            for (int b = 0; b < handlers.Count; b++)
            {
                if (a == b) continue;
                // Every pair of blocks is disjoint or nested; a handler is never shared.
                foreach (var (x, xName) in new[] { (tries[a], "try block"), (hands[a], "handler") })
                    foreach (var (y, yName) in new[] { (tries[b], "try block"), (hands[b], "handler") })
                    {
                        if (x.Disjoint(y) || x.Holds(y) || y.Holds(x)) continue;
                        return (x.Start, $"exception clauses {a} and {b} overlap ({xName} IL_{x.Start:x4}-IL_{x.End:x4}, {yName} IL_{y.Start:x4}-IL_{y.End:x4}) without one holding the other");
                    }
                if (hands[a].Same(hands[b])) return (hands[a].Start, $"exception clauses {a} and {b} share one handler");
                // A clause inside a block of another lies wholly in it; an inner clause comes first.
                var whole = new Block(Math.Min(tries[a].Start, hands[a].Start), Math.Max(tries[a].End, hands[a].End));
                foreach (var y in new[] { tries[b], hands[b] })
                {
                    bool tryIn = y.Holds(tries[a]) && !(y.Same(tries[a]) && y.Same(tries[b]));
                    bool handlerIn = y.Holds(hands[a]);
                    if (tryIn != handlerIn && !(y.Same(tries[b]) && tries[a].Same(tries[b])))
                        return (tries[a].Start, $"exception clause {a} straddles a block of clause {b}: its try block and its handler are not in the same block");
                    if (tryIn && handlerIn && y.Holds(whole) && b < a && !y.Same(whole))
                        return (tries[a].Start, $"exception clause {a} is nested in clause {b} but comes after it in the table");
                }
            }
        }
        return null;
    }
}

using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>The abstract state at one instruction (stack, arguments, locals, ownership) and the stack operations.</summary>
internal sealed partial class MethodVerifier
{
    private sealed class State
    {
        public V[] S;
        public int N;
        public V[] A;
        public V[] L;
        public bool ThisInit;
        public Dictionary<int, byte> Own;
        /// <summary>The path cannot run (a branch on a known flag, or a test, rules it out): its code is type-checked, its ownership is not.</summary>
        public bool Dead;
        /// <summary>Where the finally handlers this path is running continue (Disjuncts.cs): 0 none, ContUnknown after a merge of paths that disagree.</summary>
        public int Cont;
        /// <summary>At a join: the next state kept apart from this one (a disjunct with other flag values or another continuation).</summary>
        public State Next;
        /// <summary>At a join: this disjunct is on the work list.</summary>
        public bool Queued;

        public State Clone()
        {
            var c = new State { S = (V[])S.Clone(), N = N, A = (V[])A.Clone(), L = (V[])L.Clone(), ThisInit = ThisInit, Dead = Dead, Cont = Cont };
            if (Own != null) c.Own = new Dictionary<int, byte>(Own);
            return c;
        }
    }

    private V Pop(State s)
    {
        if (s.N == 0) throw Fail(Codes.StackUnderflow, $"stack underflow ({OpName()} needs more operands)");
        return s.S[--s.N];
    }

    private V Peek(State s, int depth = 0)
    {
        if (s.N <= depth) throw Fail(Codes.StackUnderflow, $"stack underflow ({OpName()} needs more operands)");
        return s.S[s.N - 1 - depth];
    }

    private void Push(State s, V v)
    {
        if (s.N >= _body.MaxStackSize || s.N >= s.S.Length) throw Fail(Codes.StackOverflow, $"stack overflow: more than maxstack {_body.MaxStackSize} slots");
        s.S[s.N++] = v;
    }

    private void Push(State s, TypeReference t) => Push(s, FromType(t));
}

using System;
using System.Collections.Generic;

namespace Singularity.ContractGenerator
{
    /// <summary>
    /// Turns parsed state declarations into a numbered state machine: declared states first
    /// (the first is initial), then the anonymous states that sequences and choices introduce
    /// (named "State#k"). Checks message names and directions, determinism of every state,
    /// and reachability.
    /// </summary>
    internal sealed class StateMachineBuilder
    {
        /// <summary>A declared message as the builder needs it.</summary>
        internal readonly struct MessageRef
        {
            public MessageRef(int tag, Direction direction) { Tag = tag; Direction = direction; }
            public int Tag { get; }
            public Direction Direction { get; }
        }

        /// <summary>Reports a diagnostic at [position, position+length) of the protocol string.</summary>
        internal delegate void Report(string id, int position, int length, params string[] args);

        private readonly string _contract;
        private readonly Dictionary<string, MessageRef> _messages;
        private readonly Report _report;
        private readonly List<string> _names = new List<string>();
        private readonly List<bool> _closable = new List<bool>();
        private readonly List<(int From, int Tag, int To, ActionStep Step)> _edges = new List<(int, int, int, ActionStep)>();
        private readonly Dictionary<string, int> _declared = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly Dictionary<int, int> _anonymousCount = new Dictionary<int, int>();
        private readonly Dictionary<int, int> _ownerOf = new Dictionary<int, int>();

        public HashSet<int> UsedTags { get; } = new HashSet<int>();

        public bool HasErrors { get; private set; }

        private StateMachineBuilder(string contract, Dictionary<string, MessageRef> messages, Report report)
        {
            _contract = contract;
            _messages = messages;
            _report = report;
        }

        public static StateMachineBuilder Build(string contract, List<StateDecl> decls, Dictionary<string, MessageRef> messages, Report report)
        {
            var b = new StateMachineBuilder(contract, messages, report);
            b.Run(decls);
            return b;
        }

        public List<StateModel> States()
        {
            var list = new List<StateModel>();
            for (int i = 0; i < _names.Count; i++) list.Add(new StateModel(_names[i], _closable[i]));
            return list;
        }

        public List<TransitionModel> Transitions()
        {
            var list = new List<TransitionModel>();
            foreach (var e in _edges) list.Add(new TransitionModel(e.From, e.Tag, e.To));
            return list;
        }

        private void Run(List<StateDecl> decls)
        {
            // Declared states get the first numbers, in order, so any branch can refer forward.
            foreach (StateDecl d in decls)
            {
                if (_declared.ContainsKey(d.Name))
                {
                    Error("SINGC010", d.Position, d.Name.Length, "state '" + d.Name + "' is declared twice");
                    continue;
                }
                _declared[d.Name] = _names.Count;
                _ownerOf[_names.Count] = _names.Count;
                _names.Add(d.Name);
                _closable.Add(d.Closable);
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (StateDecl d in decls)
            {
                if (!seen.Add(d.Name)) continue;
                int from = _declared[d.Name];
                foreach (Branch branch in d.Branches)
                {
                    int to;
                    if (branch.TargetIsClose) to = NewState(from, closable: true);
                    else if (!_declared.TryGetValue(branch.Target!, out to))
                    {
                        Error("SINGC010", branch.TargetPosition, branch.Target!.Length, "state '" + branch.Target + "' is not declared");
                        continue;
                    }
                    Sequence(from, branch.Steps, to);
                }
            }
            bool anyClosable = false;
            foreach (bool c in _closable) anyClosable |= c;
            if (!anyClosable && _names.Count > 0) _closable[0] = true;   // the notation's default
            CheckDeterminism();
            CheckReachability(decls);
        }

        // Steps run from `from`; the last one lands on `to`; intermediate steps get new states.
        private void Sequence(int from, List<Step> steps, int to)
        {
            for (int i = 0; i < steps.Count; i++)
            {
                int dest = i == steps.Count - 1 ? to : NewState(from, closable: false);
                Step step = steps[i];
                if (step is ActionStep action) Action(from, action, dest);
                else if (step is ChoiceStep choice)
                    foreach (List<Step> alternative in choice.Alternatives) Sequence(from, alternative, dest);
                from = dest;
            }
        }

        private void Action(int from, ActionStep step, int to)
        {
            if (!_messages.TryGetValue(step.Message, out MessageRef m))
            {
                Error("SINGC002", step.Position, step.Message.Length, step.Message);
                return;
            }
            UsedTags.Add(m.Tag);
            bool isIn = m.Direction == Direction.In;
            if (isIn != step.ExporterReceives)
            {
                Error("SINGC003", step.Position, step.Length, step.Message, step.ExporterReceives ? "?" : "!",
                      isIn ? "In" : "Out", isIn ? "receives" : "sends", isIn ? "?" : "!");
                return;
            }
            _edges.Add((from, m.Tag, to, step));
        }

        private int NewState(int near, bool closable)
        {
            // Anonymous states are named after the declared state whose branch introduced them.
            int owner = _ownerOf[near];
            _anonymousCount.TryGetValue(owner, out int k);
            _anonymousCount[owner] = ++k;
            int index = _names.Count;
            _names.Add(_names[owner] + "#" + k);
            _closable.Add(closable);
            _ownerOf[index] = owner;
            return index;
        }

        // Every state must offer distinct messages, all travelling the same way: otherwise the
        // receiver could not tell which branch was taken, or both sides could send at once.
        private void CheckDeterminism()
        {
            var byState = new Dictionary<int, List<(int From, int Tag, int To, ActionStep Step)>>();
            foreach (var e in _edges)
            {
                if (!byState.TryGetValue(e.From, out var list)) byState[e.From] = list = new List<(int, int, int, ActionStep)>();
                list.Add(e);
            }
            foreach (var pair in byState)
            {
                var list = pair.Value;
                for (int i = 1; i < list.Count; i++)
                {
                    ActionStep step = list[i].Step;
                    for (int j = 0; j < i; j++)
                    {
                        if (list[j].Tag == list[i].Tag)
                        {
                            Error("SINGC006", step.Position, step.Length, _names[pair.Key],
                                  "message '" + step.Message + "' appears more than once, so its receiver cannot tell the branches apart");
                            break;
                        }
                        if (list[j].Step.ExporterReceives != step.ExporterReceives)
                        {
                            Error("SINGC006", step.Position, step.Length, _names[pair.Key],
                                  "'" + step.Message + (step.ExporterReceives ? "?" : "!") + "' and '" + list[j].Step.Message +
                                  (list[j].Step.ExporterReceives ? "?" : "!") + "' travel in opposite directions, so both sides could send at once");
                            break;
                        }
                    }
                }
            }
        }

        private void CheckReachability(List<StateDecl> decls)
        {
            if (_names.Count == 0) return;
            var reached = new bool[_names.Count];
            var work = new Stack<int>();
            reached[0] = true;
            work.Push(0);
            while (work.Count > 0)
            {
                int s = work.Pop();
                foreach (var e in _edges)
                    if (e.From == s && !reached[e.To]) { reached[e.To] = true; work.Push(e.To); }
            }
            foreach (StateDecl d in decls)
            {
                if (_declared.TryGetValue(d.Name, out int index) && !reached[index] && decls[0].Name != d.Name)
                {
                    _report("SINGC004", d.Position, d.Name.Length, _contract, d.Name, _names[0]);
                    reached[index] = true;   // report each state once, even if declared twice
                }
            }
        }

        private void Error(string id, int position, int length, params string[] args)
        {
            HasErrors = true;
            var all = new string[args.Length + 1];
            all[0] = _contract;
            Array.Copy(args, 0, all, 1, args.Length);
            _report(id, position, length, all);
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Singularity.Ownership;

namespace Singularity.Analyzers
{
    /// <summary>
    /// What the analyzer knows about the channel API of one compilation. Everything is matched by
    /// full metadata name (namespace Singularity.Channels), so the stand-ins in tests, the hosted
    /// runtime and the kernel's SIP runtime are all recognised. Which types are tracked, and of
    /// what kind, is the shared model (Verifier/Shared/TrackedTypes.cs, also compiled into the
    /// verifier), asked through a Roslyn view.
    /// </summary>
    internal sealed class ChannelModel
    {
        readonly IAssemblySymbol compiled;     // the SIP being analyzed: nothing in it is trusted

        public ChannelModel(IAssemblySymbol compiled) { this.compiled = compiled; }

        readonly ConcurrentDictionary<ITypeSymbol, bool> tracked = new ConcurrentDictionary<ITypeSymbol, bool>(SymbolEqualityComparer.Default);
        readonly ConcurrentDictionary<ITypeSymbol, Protocol> protocols = new ConcurrentDictionary<ITypeSymbol, Protocol>(SymbolEqualityComparer.Default);
        readonly ConcurrentDictionary<ITypeSymbol, bool> immutable = new ConcurrentDictionary<ITypeSymbol, bool>(SymbolEqualityComparer.Default);

        public static bool IsNamespace(INamespaceSymbol ns, string a, string b)
        {
            return ns != null && ns.Name == b && ns.ContainingNamespace != null && ns.ContainingNamespace.Name == a
                && ns.ContainingNamespace.ContainingNamespace != null && ns.ContainingNamespace.ContainingNamespace.IsGlobalNamespace;
        }

        public static bool IsChannelsNamespace(INamespaceSymbol ns) => IsNamespace(ns, "Singularity", "Channels");

        /// <summary>Namespace Singularity or any namespace below it (the trusted runtime's API).</summary>
        public static bool IsSingularityNamespace(INamespaceSymbol ns)
        {
            for (; ns != null && !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
                if (ns.Name == "Singularity" && ns.ContainingNamespace != null && ns.ContainingNamespace.IsGlobalNamespace) return true;
            return false;
        }

        public static string NamespaceName(INamespaceSymbol ns)
        {
            if (ns == null || ns.IsGlobalNamespace) return "";
            var outer = NamespaceName(ns.ContainingNamespace);
            return outer.Length == 0 ? ns.Name : outer + "." + ns.Name;
        }

        public static bool IsChannelsType(ITypeSymbol t, string name)
            => t != null && t.Name == name && t.ContainingType == null && IsChannelsNamespace(t.ContainingNamespace);

        public static bool HasAttribute(ImmutableArray<AttributeData> attributes, string name)
        {
            foreach (var a in attributes)
                if (IsChannelsType(a.AttributeClass, name)) return true;
            return false;
        }

        public static AttributeData GetAttribute(ImmutableArray<AttributeData> attributes, string name)
        {
            foreach (var a in attributes)
                if (IsChannelsType(a.AttributeClass, name)) return a;
            return null;
        }

        public static bool HasClaims(IParameterSymbol p) => p != null && HasAttribute(p.GetAttributes(), TrackedTypes.ClaimsAttribute);

        /// <summary>The state named by [State("S")] on a symbol's attributes, or null.</summary>
        public static string StateOf(ImmutableArray<AttributeData> attributes)
        {
            var a = GetAttribute(attributes, TrackedTypes.StateAttribute);
            if (a == null) return null;
            if (a.ConstructorArguments.Length > 0 && a.ConstructorArguments[0].Value is string s) return s;
            foreach (var kv in a.NamedArguments)
                if (kv.Value.Value is string n) return n;
            return null;
        }

        /// <summary>
        /// Use-once values that may be dropped: <c>EndpointHandle</c> (one channel handle, wrapped in
        /// one endpoint) and a generated endpoint's nested <c>Message</c> struct (its arguments are
        /// taken once). Tracked (a copy moves the value; a use after TakeX/FromHandle is SING0001).
        /// Dropping a handle is not a leak; dropping a message that may carry a tracked argument is.
        /// </summary>
        public static bool IsAffine(ITypeSymbol type)
        {
            if (!(type is INamedTypeSymbol n) || type.TypeKind == TypeKind.Error) return false;
            return TrackedTypes.IsAffine<ITypeSymbol>(n, RoslynTypeView.Instance);
        }

        /// <summary>A generated endpoint's nested Message struct (affine, but not an EndpointHandle).</summary>
        public static bool IsMessage(ITypeSymbol type) => IsAffine(type) && type.Name == TrackedTypes.NestedMessage;

        public bool IsTracked(ITypeSymbol type)
        {
            if (type == null || type.TypeKind == TypeKind.TypeParameter || type.TypeKind == TypeKind.Error) return false;
            if (type.SpecialType != SpecialType.None) return false;
            return tracked.GetOrAdd(type, t => TrackedTypes.KindOf(t, RoslynTypeView.Instance) != TrackedKind.None);
        }

        public static bool IsTRef(ITypeSymbol t) => t is INamedTypeSymbol n && RoslynTypeView.Instance.IsChannelsType(n, TrackedTypes.TRef);

        /// <summary>Endpoint = a tracked class deriving from Singularity.Channels.Endpoint.</summary>
        public static bool IsEndpoint(ITypeSymbol t) => t != null && TrackedTypes.IsEndpoint(t, RoslynTypeView.Instance);

        /// <summary>The protocol from [EndpointProtocol] on an endpoint type, or null.</summary>
        public Protocol GetProtocol(ITypeSymbol type)
        {
            if (type == null || type.TypeKind != TypeKind.Class) return null;
            return protocols.GetOrAdd(type, t =>
            {
                for (var b = t; b != null; b = b.BaseType)
                {
                    var a = GetAttribute(b.GetAttributes(), TrackedTypes.EndpointProtocolAttribute);
                    if (a != null) return Protocol.FromAttribute(a, (INamedTypeSymbol)b);
                }
                return null;
            });
        }

        readonly ConcurrentDictionary<IMethodSymbol, bool> iterators = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);

        /// <summary>A method, local function or accessor whose own body contains yield (Roslyn 4.14 has no IMethodSymbol.IsIterator).</summary>
        public bool IsIterator(IMethodSymbol method)
        {
            if (method == null || method.MethodKind == MethodKind.AnonymousFunction) return false;
            return iterators.GetOrAdd(method, m =>
            {
                foreach (var r in m.DeclaringSyntaxReferences)
                {
                    var node = r.GetSyntax();
                    foreach (var child in node.ChildNodes())
                        foreach (var n in child.DescendantNodesAndSelf(x => !(x is Microsoft.CodeAnalysis.CSharp.Syntax.AnonymousFunctionExpressionSyntax
                                                                              || x is Microsoft.CodeAnalysis.CSharp.Syntax.LocalFunctionStatementSyntax)))
                            if (n is Microsoft.CodeAnalysis.CSharp.Syntax.YieldStatementSyntax) return true;
                }
                return false;
            });
        }

        /// <summary>
        /// True for the trusted runtime's API (namespace Singularity..., tracked types, TRef) when
        /// it comes from a referenced assembly, and for contracts and generated endpoints. A type
        /// declared in the SIP's own source is never trusted for its namespace or attributes:
        /// SIP code cannot exempt itself by naming its namespace Singularity.
        /// </summary>
        public bool IsTrustedApi(INamedTypeSymbol type)
        {
            for (var t = type; t != null; t = t.ContainingType)
            {
                bool referenced = compiled == null || !SymbolEqualityComparer.Default.Equals(t.ContainingAssembly, compiled);
                if (referenced && IsSingularityNamespace(t.ContainingNamespace)) return true;
                if (referenced && (IsTracked(t) || IsTRef(t))) return true;
                var attrs = t.GetAttributes();
                if (HasAttribute(attrs, TrackedTypes.ContractAttribute) || HasAttribute(attrs, TrackedTypes.EndpointProtocolAttribute)) return true;
            }
            return false;
        }

        /// <summary>Deeply immutable: primitives, string, enums, delegates, object-less readonly structs and sealed classes whose fields are all readonly and immutable.</summary>
        public bool IsImmutable(ITypeSymbol type) => IsImmutable(type, 0);

        bool IsImmutable(ITypeSymbol type, int depth)
        {
            if (type == null) return false;
            switch (type.SpecialType)
            {
                case SpecialType.System_Boolean: case SpecialType.System_Char: case SpecialType.System_SByte:
                case SpecialType.System_Byte: case SpecialType.System_Int16: case SpecialType.System_UInt16:
                case SpecialType.System_Int32: case SpecialType.System_UInt32: case SpecialType.System_Int64:
                case SpecialType.System_UInt64: case SpecialType.System_Decimal: case SpecialType.System_Single:
                case SpecialType.System_Double: case SpecialType.System_String: case SpecialType.System_IntPtr:
                case SpecialType.System_UIntPtr: case SpecialType.System_DateTime:
                    return true;
                case SpecialType.System_Object:
                    return false;
            }
            if (type.TypeKind == TypeKind.Enum || type.TypeKind == TypeKind.Delegate) return true;
            if (type.TypeKind == TypeKind.Array || type.TypeKind == TypeKind.Pointer || type.TypeKind == TypeKind.Interface
                || type.TypeKind == TypeKind.TypeParameter || type.TypeKind == TypeKind.Dynamic || type.TypeKind == TypeKind.Error) return false;
            if (depth > 8) return false;
            if (!(type is INamedTypeSymbol named)) return false;
            if (named.TypeKind == TypeKind.Class && !named.IsSealed && !named.IsStatic) return false;
            if (immutable.TryGetValue(type, out bool known)) return known;
            immutable[type] = false; // cycle guard: a type that contains itself is not proven immutable
            bool result = ComputeImmutable(named, depth);
            immutable[type] = result;
            return result;
        }

        bool ComputeImmutable(INamedTypeSymbol t, int depth)
        {
            for (var b = t; b != null && b.SpecialType != SpecialType.System_Object && b.SpecialType != SpecialType.System_ValueType; b = b.BaseType)
            {
                foreach (var m in b.GetMembers())
                {
                    if (!(m is IFieldSymbol f) || f.IsStatic || f.IsConst) continue;
                    if (!f.IsReadOnly && !(t.IsReadOnly && t.IsValueType)) return false;
                    if (!IsImmutable(f.Type, depth + 1)) return false;
                }
            }
            return true;
        }
    }

    /// <summary>The tracked-type model's view of Roslyn symbols (constructed types walk their constructed base chain; attributes are read from the definition).</summary>
    internal sealed class RoslynTypeView : ITypeView<ITypeSymbol>
    {
        public static readonly RoslynTypeView Instance = new RoslynTypeView();
        public ITypeSymbol Definition(ITypeSymbol type) => type;
        public ITypeSymbol BaseType(ITypeSymbol type) => type.BaseType;
        public ITypeSymbol DeclaringType(ITypeSymbol type) => type.ContainingType;
        public string Name(ITypeSymbol type) => type.Name;
        public bool IsValueType(ITypeSymbol type) => type.IsValueType;
        public bool IsChannelsType(ITypeSymbol type, string metadataName)
            => type.MetadataName == metadataName && type.ContainingType == null && ChannelModel.IsChannelsNamespace(type.ContainingNamespace);
        public bool HasChannelsAttribute(ITypeSymbol type, string attribute) => ChannelModel.HasAttribute(type.OriginalDefinition.GetAttributes(), attribute);
    }

    /// <summary>A protocol as emitted by the generator in [EndpointProtocol]: states, transitions, closable states.</summary>
    internal sealed class Protocol
    {
        public const int MaxStates = 60;
        public string TypeName;
        public List<string> States = new List<string>();
        public int Initial;
        public ulong ClosableMask;
        public readonly Dictionary<(int from, bool send, string msg), int> Transitions = new Dictionary<(int, bool, string), int>();
        public readonly HashSet<string> SendMessages = new HashSet<string>();
        public readonly HashSet<string> ReceiveMessages = new HashSet<string>();
        public bool Valid = true;

        public int StateIndex(string name, bool add)
        {
            int i = States.IndexOf(name);
            if (i >= 0 || !add) return i;
            States.Add(name);
            return States.Count - 1;
        }

        public static Protocol FromAttribute(AttributeData a, INamedTypeSymbol type)
        {
            var p = new Protocol { TypeName = Display(type) };
            string initial = null;
            var transitions = new List<string>();
            var closable = new List<string>();
            void Take(string name, TypedConstant v)
            {
                if (name == "Initial" && v.Value is string s) initial = s;
                else if ((name == "Transitions" || name == "Closable") && v.Kind == TypedConstantKind.Array)
                    foreach (var e in v.Values)
                        if (e.Value is string str) (name == "Transitions" ? transitions : closable).Add(str);
            }
            // Positional (initial, transitions, closable) or named arguments.
            var ctorNames = new[] { "Initial", "Transitions", "Closable" };
            for (int i = 0; i < a.ConstructorArguments.Length && i < 3; i++) Take(ctorNames[i], a.ConstructorArguments[i]);
            foreach (var kv in a.NamedArguments) Take(kv.Key, kv.Value);
            if (initial != null) p.Initial = p.StateIndex(initial, true);
            foreach (var t in transitions)
            {
                var parts = t.Split(':');
                if (parts.Length != 3 || parts[1].Length < 2 || (parts[1][0] != '!' && parts[1][0] != '?')) { p.Valid = false; continue; }
                bool send = parts[1][0] == '!';
                string msg = parts[1].Substring(1).Trim();
                int from = p.StateIndex(parts[0].Trim(), true), to = p.StateIndex(parts[2].Trim(), true);
                p.Transitions[(from, send, msg)] = to;
                (send ? p.SendMessages : p.ReceiveMessages).Add(msg);
            }
            if (initial == null) { if (p.States.Count == 0) p.Valid = false; p.Initial = 0; }
            foreach (var c in closable)
            {
                int i = p.StateIndex(c.Trim(), true);
                if (i < MaxStates) p.ClosableMask |= 1UL << i;
            }
            if (closable.Count == 0) p.ClosableMask = 1UL << p.Initial;
            if (p.States.Count > MaxStates) p.Valid = false;
            return p;
        }

        public static string Display(INamedTypeSymbol type)
            => type.ContainingType != null ? Display(type.ContainingType) + "." + type.Name : type.Name;

        public string Names(ulong mask)
        {
            var parts = new List<string>();
            for (int i = 0; i < States.Count && i < MaxStates; i++)
                if ((mask & (1UL << i)) != 0) parts.Add(Describe(i));
            return string.Join(" or ", parts);
        }

        /// <summary>
        /// A state as the contract's author knows it: its name, or, for a state the contract does not
        /// name (the generator calls it 'Start#1'), the named state it follows and the message that led there.
        /// </summary>
        public string Describe(int state)
        {
            if (state < 0 || state >= States.Count) return "'?'";
            string name = States[state];
            int hash = name.IndexOf('#');
            if (hash < 0) return "'" + name + "'";
            var into = Transitions.Where(kv => kv.Value == state).OrderBy(kv => kv.Key.from).Select(kv => (kv.Key.send ? "sending " : "receiving ") + kv.Key.msg).Distinct().ToList();
            return "'" + name.Substring(0, hash) + "' after " + (into.Count == 0 ? "a message" : string.Join(" or ", into)) + " (" + name + ")";
        }

        /// <summary>Messages that may be received in any state of the mask.</summary>
        public List<string> Receivable(ulong mask)
        {
            var r = new List<string>();
            foreach (var kv in Transitions)
                if (!kv.Key.send && kv.Key.from < MaxStates && (mask & (1UL << kv.Key.from)) != 0 && !r.Contains(kv.Key.msg)) r.Add(kv.Key.msg);
            return r;
        }

        public List<string> Allowed(int state)
        {
            var r = new List<string>();
            foreach (var kv in Transitions)
                if (kv.Key.from == state) r.Add((kv.Key.send ? "Send" : "Recv") + kv.Key.msg);
            r.Sort(StringComparer.Ordinal);
            return r;
        }

        /// <summary>The target state of a message from an unknown state, when all transitions for it agree; else -1.</summary>
        public int UniqueTarget(bool send, string msg)
        {
            int target = -1;
            foreach (var kv in Transitions)
            {
                if (kv.Key.send != send || kv.Key.msg != msg) continue;
                if (target >= 0 && target != kv.Value) return -1;
                target = kv.Value;
            }
            return target;
        }
    }
}

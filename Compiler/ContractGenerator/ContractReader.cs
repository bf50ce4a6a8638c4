using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Singularity.ContractGenerator
{
    /// <summary>
    /// Reads one [Contract] interface into a ContractResult: checks the declaration and the
    /// message signatures, parses the protocol and builds its state machine. Never throws for
    /// bad input; an unexpected failure becomes the internal-error diagnostic SINGC099.
    /// </summary>
    internal sealed class ContractReader
    {
        public const string ContractAttributeName = "Singularity.Channels.ContractAttribute";
        private const string InAttributeName = "Singularity.Channels.InAttribute";
        private const string OutAttributeName = "Singularity.Channels.OutAttribute";
        private const string StateAttributeName = "Singularity.Channels.StateAttribute";
        private const string TrackedAttributeName = "Singularity.Channels.TrackedAttribute";
        private const string EndpointTypeName = "Singularity.Channels.Endpoint";
        private const int MaxDataBytes = 64, MaxHandles = 4;

        private readonly GeneratorAttributeSyntaxContext _context;
        private readonly CancellationToken _cancel;
        private readonly INamedTypeSymbol _contract;
        private readonly List<DiagnosticInfo> _diagnostics = new List<DiagnosticInfo>();
        private bool _hasErrors;
        private bool _unresolvedTypes;

        private ContractReader(GeneratorAttributeSyntaxContext context, CancellationToken cancel)
        {
            _context = context;
            _cancel = cancel;
            _contract = (INamedTypeSymbol)context.TargetSymbol;
        }

        public static ContractResult Read(GeneratorAttributeSyntaxContext context, CancellationToken cancel)
        {
            var reader = new ContractReader(context, cancel);
            try
            {
                return reader.ReadContract();
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception e)
            {
                // A generator that throws takes every other generator's output down with it.
                var info = new DiagnosticInfo("SINGC099", LocationInfo.From(context.TargetNode.GetLocation()),
                    new EquatableArray<string>(new[] { context.TargetSymbol.Name, e.GetType().Name + ": " + e.Message }));
                return new ContractResult(null, new EquatableArray<DiagnosticInfo>(new[] { info }));
            }
        }

        private ContractResult ReadContract()
        {
            string name = _contract.Name;
            CheckShape();
            List<MessageModel> messages = ReadMessages();
            ReadProtocol(messages, out List<StateModel> states, out List<TransitionModel> transitions);

            ContractCode? code = null;
            if (!_hasErrors && !_unresolvedTypes)
            {
                string ns = _contract.ContainingNamespace == null || _contract.ContainingNamespace.IsGlobalNamespace
                    ? "" : _contract.ContainingNamespace.ToDisplayString();
                code = new ContractCode(ns, name, _contract.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                    EquatableArray.From(messages), EquatableArray.From(states), EquatableArray.From(transitions));
            }
            return new ContractResult(code, EquatableArray.From(_diagnostics));
        }

        // ---- the interface itself --------------------------------------------------------------

        private void CheckShape()
        {
            Location where = _contract.Locations.Length > 0 ? _contract.Locations[0] : _context.TargetNode.GetLocation();
            if (_context.TargetNode is not InterfaceDeclarationSyntax decl)
            {
                Report("SINGC009", where, "[Contract] belongs on a partial interface");
                return;
            }
            where = decl.Identifier.GetLocation();
            if (!decl.Modifiers.Any(SyntaxKind.PartialKeyword))
                Report("SINGC009", where, "the contract interface must be declared 'partial' (the generator adds the Imp and Exp endpoint classes to it)");
            if (_contract.ContainingType != null)
                Report("SINGC009", where, "a contract must be declared directly in a namespace, not inside '" + _contract.ContainingType.Name + "'");
            if (_contract.TypeParameters.Length > 0)
                Report("SINGC009", where, "a contract cannot be generic");
        }

        private List<MessageModel> ReadMessages()
        {
            var messages = new List<MessageModel>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (ISymbol member in _contract.GetMembers())
            {
                _cancel.ThrowIfCancellationRequested();
                if (member.IsImplicitlyDeclared) continue;
                if (member is IMethodSymbol { AssociatedSymbol: not null }) continue;   // accessors: the property or event is reported
                Location where = member.Locations.Length > 0 ? member.Locations[0] : Location.None;
                if (member is not IMethodSymbol method || method.MethodKind != MethodKind.Ordinary)
                {
                    Report("SINGC009", where, "'" + member.Name + "' is not a message: a contract declares only [In] and [Out] void methods");
                    continue;
                }
                bool isIn = HasAttribute(method, InAttributeName), isOut = HasAttribute(method, OutAttributeName);
                if (isIn == isOut)
                {
                    Report("SINGC009", where, "method '" + method.Name + "' must be marked either [In] (importer to exporter) or [Out] (exporter to importer)");
                    continue;
                }
                if (!method.ReturnsVoid) { Report("SINGC009", where, "message '" + method.Name + "' must return void"); continue; }
                if (method.IsGenericMethod) { Report("SINGC009", where, "message '" + method.Name + "' cannot be generic"); continue; }
                if (method.IsStatic || !method.IsAbstract) { Report("SINGC009", where, "message '" + method.Name + "' must be a plain declaration without a body or 'static'"); continue; }
                if (method.Name == "ChannelClosed" || method.Name == "TimedOut")
                {
                    Report("SINGC009", where, "'" + method.Name + "' is reserved (it is a case of the generated Tag enum)");
                    continue;
                }
                if (method.Name == "Imp" || method.Name == "Exp" || method.Name == "NewChannel" || method.Name == "Tag")
                {
                    Report("SINGC009", where, "'" + method.Name + "' is reserved (the generator declares a member of that name)");
                    continue;
                }
                if (!names.Add(method.Name)) { Report("SINGC009", where, "message '" + method.Name + "' is declared twice (overloads are not messages)"); continue; }

                var parameters = new List<ParamModel>();
                int dataBytes = 0, handles = 0;
                bool ok = true;
                foreach (IParameterSymbol p in method.Parameters)
                {
                    ParamModel? param = ReadParameter(method, p);
                    if (param == null) { ok = false; continue; }
                    parameters.Add(param);
                    if (param.Kind == ParamKind.Data) dataBytes += param.Size; else handles++;
                }
                if (dataBytes > MaxDataBytes)
                    Report("SINGC008", where, method.Name, dataBytes + " bytes of data", MaxDataBytes + " bytes of data (send larger payloads in an ExBuffer)");
                if (handles > MaxHandles)
                    Report("SINGC008", where, method.Name, handles + " tracked values", MaxHandles + " tracked values (ExBuffer, ExArray, endpoints)");
                if (ok)
                    messages.Add(new MessageModel(method.Name, isIn ? Direction.In : Direction.Out, messages.Count, EquatableArray.From(parameters)));
                else
                    messages.Add(new MessageModel(method.Name, isIn ? Direction.In : Direction.Out, messages.Count, EquatableArray<ParamModel>.Empty));
            }
            return messages;
        }

        private ParamModel? ReadParameter(IMethodSymbol method, IParameterSymbol p)
        {
            Location where = p.Locations.Length > 0 ? p.Locations[0] : Location.None;
            if (p.RefKind != RefKind.None)
            {
                Report("SINGC009", where, "parameter '" + p.Name + "' of message '" + method.Name + "' cannot be ref, out or in: messages carry values");
                return null;
            }
            if (p.Name == "timeoutMs")
            {
                Report("SINGC009", where, "parameter name 'timeoutMs' is reserved (the generated receive methods use it)");
                return null;
            }
            ITypeSymbol type = p.Type;
            string? endpoint = EndpointType(p);
            if (endpoint != null)
                return new ParamModel(p.Name, endpoint, ParamKind.Endpoint, null, StateOf(p), 0);
            if (type.TypeKind == TypeKind.Error)
            {
                _unresolvedTypes = true;   // the compiler reports the unknown type itself
                return null;
            }
            string typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            if (type is INamedTypeSymbol named && named.ContainingNamespace?.ToDisplayString() == "Singularity.Channels")
            {
                if (named.Name == "EndpointHandle" && named.Arity == 0)
                    return new ParamModel(p.Name, typeName, ParamKind.Handle, null, null, 0);
                if (named.Name == "ExBuffer" && named.Arity == 0)
                    return new ParamModel(p.Name, typeName, ParamKind.Buffer, null, null, 0);
                if (named.Name == "ExArray" && named.Arity == 1 && DataSize(named.TypeArguments[0], 0) > 0)
                    return new ParamModel(p.Name, typeName, ParamKind.Array,
                        named.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), null, 0);
            }
            int size = DataSize(type, 0);
            if (size > 0) return new ParamModel(p.Name, typeName, ParamKind.Data, null, null, size);
            Report("SINGC005", where, p.Name, method.Name, type.ToDisplayString());
            return null;
        }

        /// <summary>
        /// C2.Imp / C2.Exp of a contract. Contracts of this compilation have no generated types
        /// yet (generators see the compilation before their output), so those are read from syntax.
        /// </summary>
        private string? EndpointType(IParameterSymbol p)
        {
            if (p.Type is INamedTypeSymbol named && named.TypeKind == TypeKind.Class && (named.Name == "Imp" || named.Name == "Exp")
                && IsContract(named.ContainingType) && InheritsEndpoint(named))
                return named.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            if (p.Type.TypeKind != TypeKind.Error) return null;
            if (p.DeclaringSyntaxReferences.Length == 0) return null;
            if (p.DeclaringSyntaxReferences[0].GetSyntax(_cancel) is not ParameterSyntax syntax || syntax.Type == null) return null;
            TypeSyntax t = syntax.Type;
            if (t is QualifiedNameSyntax q && IsSide(q.Right.Identifier.Text))
            {
                SemanticModel model = _context.SemanticModel.Compilation.GetSemanticModel(syntax.SyntaxTree);
                if (model.GetSymbolInfo(q.Left, _cancel).Symbol is INamedTypeSymbol left && IsContract(left))
                    return left.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + q.Right.Identifier.Text;
            }
            else if (t is IdentifierNameSyntax id && IsSide(id.Identifier.Text))
            {
                // Inside the contract, plain Imp/Exp are its own endpoints.
                return _contract.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + id.Identifier.Text;
            }
            return null;
        }

        private static bool IsSide(string s) => s == "Imp" || s == "Exp";

        private static bool IsContract(INamedTypeSymbol? type) =>
            type != null && type.TypeKind == TypeKind.Interface && HasAttribute(type, ContractAttributeName);

        private static bool InheritsEndpoint(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type.BaseType; t != null; t = t.BaseType)
                if (t.ToDisplayString() == EndpointTypeName) return true;
            return false;
        }

        private static string? StateOf(IParameterSymbol p)
        {
            foreach (AttributeData a in p.GetAttributes())
                if (a.AttributeClass?.ToDisplayString() == StateAttributeName && a.ConstructorArguments.Length == 1)
                    return a.ConstructorArguments[0].Value as string;
            return null;
        }

        /// <summary>Bytes a plain-data value takes in a message, or 0 if the type cannot cross a channel.</summary>
        private static int DataSize(ITypeSymbol type, int depth)
        {
            if (depth > 16) return 0;
            switch (type.SpecialType)
            {
                case SpecialType.System_Boolean: case SpecialType.System_Byte: case SpecialType.System_SByte: return 1;
                case SpecialType.System_Char: case SpecialType.System_Int16: case SpecialType.System_UInt16: return 2;
                case SpecialType.System_Int32: case SpecialType.System_UInt32: case SpecialType.System_Single: return 4;
                case SpecialType.System_Int64: case SpecialType.System_UInt64: case SpecialType.System_Double:
                case SpecialType.System_IntPtr: case SpecialType.System_UIntPtr: return 8;
                case SpecialType.System_Decimal: return 16;
            }
            if (type is INamedTypeSymbol e && e.TypeKind == TypeKind.Enum)
                return e.EnumUnderlyingType != null ? DataSize(e.EnumUnderlyingType, depth + 1) : 0;
            if (type.TypeKind != TypeKind.Struct || !type.IsUnmanagedType || type is not INamedTypeSymbol s) return 0;
            // Tracked structs (ExBuffer, handles) must not hide inside plain data.
            if (HasAttribute(s, TrackedAttributeName)) return 0;
            string? ns = s.ContainingNamespace?.ToDisplayString();
            if (ns == "Singularity.Channels" || ns == "Singularity.Ipc") return 0;
            int offset = 0, align = 1;
            foreach (ISymbol m in s.GetMembers())
            {
                if (m is not IFieldSymbol f || f.IsStatic || f.IsConst) continue;
                int size = f.IsFixedSizeBuffer && f.Type is IPointerTypeSymbol ptr
                    ? DataSize(ptr.PointedAtType, depth + 1) * Math.Max(1, f.FixedSize)
                    : DataSize(f.Type, depth + 1);
                if (size == 0) return 0;
                int a = Math.Min(8, f.IsFixedSizeBuffer ? 8 : size);
                if ((a & (a - 1)) != 0) a = 8;
                offset = (offset + a - 1) / a * a + size;
                align = Math.Max(align, a);
            }
            return Math.Max(1, (offset + align - 1) / align * align);
        }

        private static bool HasAttribute(ISymbol symbol, string fullName)
        {
            foreach (AttributeData a in symbol.GetAttributes())
                if (a.AttributeClass?.ToDisplayString() == fullName) return true;
            return false;
        }

        // ---- the protocol ------------------------------------------------------------------------

        private void ReadProtocol(List<MessageModel> messages, out List<StateModel> states, out List<TransitionModel> transitions)
        {
            states = new List<StateModel>();
            transitions = new List<TransitionModel>();
            AttributeData attribute = _context.Attributes[0];
            string? protocol = null;
            foreach (var arg in attribute.NamedArguments)
                if (arg.Key == "Protocol") protocol = arg.Value.Value as string;

            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(_cancel) as AttributeSyntax;
            Location attributeLocation = attributeSyntax?.GetLocation() ?? _context.TargetNode.GetLocation();
            ExpressionSyntax? expression = null;
            if (attributeSyntax?.ArgumentList != null)
                foreach (AttributeArgumentSyntax a in attributeSyntax.ArgumentList.Arguments)
                    if (a.NameEquals?.Name.Identifier.Text == "Protocol") expression = a.Expression;

            if (protocol == null || protocol.Trim().Length == 0)
            {
                Report("SINGC001", expression?.GetLocation() ?? attributeLocation,
                       "the contract has no protocol: write [Contract(Protocol = \"state Start: ...;\")]");
                return;
            }
            var mapper = new LiteralMapper(expression, attributeLocation, protocol);
            List<StateDecl> decls = ProtocolParser.Parse(protocol, out ProtocolError? error);
            if (error != null)
            {
                Report("SINGC001", mapper.Locate(error.Position, error.Length), error.Message);
                return;
            }

            var refs = new Dictionary<string, StateMachineBuilder.MessageRef>(StringComparer.Ordinal);
            foreach (MessageModel m in messages) refs[m.Name] = new StateMachineBuilder.MessageRef(m.Tag, m.Direction);
            StateMachineBuilder machine = StateMachineBuilder.Build(_contract.Name, decls, refs,
                (id, position, length, args) => ReportRaw(id, mapper.Locate(position, length), args));
            states = machine.States();
            transitions = machine.Transitions();

            if (machine.HasErrors) return;
            foreach (ISymbol member in _contract.GetMembers())
            {
                if (member is not IMethodSymbol method) continue;
                foreach (MessageModel m in messages)
                    if (m.Name == method.Name && !machine.UsedTags.Contains(m.Tag) && method.Locations.Length > 0)
                        Report("SINGC007", method.Locations[0], m.Name);
            }
        }

        // ---- diagnostics -------------------------------------------------------------------------

        // Every message format starts with the contract's name.
        private void Report(string id, Location location, params string[] args)
        {
            var all = new string[args.Length + 1];
            all[0] = _contract.Name;
            Array.Copy(args, 0, all, 1, args.Length);
            ReportRaw(id, location, all);
        }

        private void ReportRaw(string id, Location location, string[] args)
        {
            if (Diagnostics.ById(id).DefaultSeverity == DiagnosticSeverity.Error) _hasErrors = true;
            _diagnostics.Add(new DiagnosticInfo(id, LocationInfo.From(location), new EquatableArray<string>(args)));
        }
    }
}

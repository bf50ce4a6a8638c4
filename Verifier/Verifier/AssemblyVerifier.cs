using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>What the verifier is told about its environment.</summary>
public sealed class VerifierOptions
{
    /// <summary>Directories (or files, meaning their directory) where referenced assemblies are found.</summary>
    public List<string> ReferencePaths { get; } = new();

    /// <summary>Assemblies a SIP may reference: the SIP core library, the trusted runtime, and contracts.</summary>
    public HashSet<string> AllowedAssemblies { get; } = new(StringComparer.Ordinal) { "Singularity.Corlib", "Singularity.Runtime" };

    /// <summary>Assembly-name prefixes of contract assemblies (generated endpoint code, itself verified when passed).</summary>
    public List<string> AllowedPrefixes { get; } = new() { "Singularity.Contracts" };

    /// <summary>Assemblies that are trusted: their internals are never visible to a SIP, and a SIP may not take their name.</summary>
    public HashSet<string> TrustedAssemblies { get; } = new(StringComparer.Ordinal) { "Singularity.Corlib", "Singularity.Runtime", "Singularity.Kernel" };

    /// <summary>Only extract the manifest (for test SIPs that opt out of verification with SipVerify=false).</summary>
    public bool ManifestOnly { get; set; }

    /// <summary>The bound on a method's data-flow block visits (0: <see cref="MethodVerifier.MaxVisits"/>, which scales with the method); past it, SV0219.</summary>
    public long MaxBlockVisits { get; set; }

    /// <summary>The SIP's name when it has no [SipManifest] (the build's SipName); default: the assembly name in lower case.</summary>
    public string DefaultName { get; set; }

    public bool IsAllowed(string name) => AllowedAssemblies.Contains(name) || AllowedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
}

/// <summary>The outcome of verifying one file.</summary>
public sealed class VerificationResult
{
    public string File { get; init; }
    public List<Violation> Violations { get; } = new();
    public Manifest Manifest { get; set; }
    /// <summary>An exception the verifier's own code threw on this input (reported as SV0005): a verifier bug, never expected.</summary>
    public Exception InternalError { get; set; }
    /// <summary>0 verified, 1 rejected, 2 unusable input.</summary>
    public int ExitCode => Violations.Any(v => Codes.IsInputError(v.Code)) ? 2 : Violations.Count > 0 ? 1 : 0;
    public bool Verified => ExitCode == 0;
    public IEnumerable<string> Codes_ => Violations.Select(v => v.Code);
}

/// <summary>Verifies SIP assemblies: policy over metadata, then the data-flow pass over each body.</summary>
public sealed class AssemblyVerifier
{
    private readonly VerifierOptions _options;
    private VerificationResult _result;
    private string _file;
    internal TypeSystem Types { get; private set; }
    internal Tracking Tracking { get; private set; }
    private ModuleDefinition _module;
    private Dictionary<int, string> _corruptBodies = new();
    private readonly Dictionary<MemberReference, List<(string, string)>> _useChecks = new(ReferenceEqualityComparer.Instance);

    public AssemblyVerifier(VerifierOptions options = null) { _options = options ?? new VerifierOptions(); }

    internal VerifierOptions Options => _options;

    public static VerificationResult VerifyFile(string path, VerifierOptions options = null) => new AssemblyVerifier(options).Verify(path);

    public VerificationResult Verify(string path)
    {
        _file = Path.GetFileName(path);
        _result = new VerificationResult { File = _file };
        _useChecks.Clear();
        var resolver = new DirectoryResolver(_options.ReferencePaths.Prepend(Path.GetDirectoryName(Path.GetFullPath(path))), _options);
        try
        {
            byte[] bytes;
            try { bytes = System.IO.File.ReadAllBytes(path); }
            catch (Exception e) { throw new UnusableInputException(Codes.IoError, $"cannot read the file: {e.Message}"); }
            _corruptBodies = CheckPeImage(bytes);
            try
            {
                _module = ModuleDefinition.ReadModule(new MemoryStream(bytes), new ReaderParameters { AssemblyResolver = resolver, ReadSymbols = false, ReadingMode = ReadingMode.Deferred });
            }
            catch (Exception e) { throw new UnusableInputException(Codes.NotAnAssembly, $"not a valid .NET assembly ({e.GetType().Name}: {e.Message})"); }
            if (_module.Assembly == null) throw new UnusableInputException(Codes.NotAnAssembly, "a module without an assembly manifest");
            CecilCoreLibrary.Fix(_module);
            if (!_module.AssemblyReferences.Any(r => r.Name == CecilCoreLibrary.Name) && _module.Assembly.Name.Name != CecilCoreLibrary.Name)
            {
                // Built against another core library (mscorlib, System.Runtime ...): a readable assembly
                // that breaks the reference rule (exit 1). Its types resolve only in that library, so the
                // references are all that can be checked.
                string asm = _module.Assembly.Name.Name;
                Report(Codes.ForbiddenAssembly, asm, $"does not reference the SIP core library {CecilCoreLibrary.Name} (was it built as a SIP?)");
                foreach (var r in _module.AssemblyReferences)
                    if (!_options.IsAllowed(r.Name)) Report(Codes.ForbiddenAssembly, asm, ForbiddenReference(r.Name));
            }
            else
            {
                Types = new TypeSystem(_module);
                Tracking = new Tracking(Types);
                // Types, members and signatures are shared by every method: corrupt ones make the input unusable (SV0001).
                MetadataCheck.Module(_module);
                if (!_options.ManifestOnly) VerifyModule();
                Guarded(() => _module.Assembly.Name.Name, () => _result.Manifest = Manifest.Extract(this, _module, _options.DefaultName));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException || ThrownByReader(e))
        {
            ReportFailure(e, null);
        }
        finally { resolver.Dispose(); }
        // Within a method, report in IL order.
        var sorted = _result.Violations.Select((v, i) => (v, i)).OrderBy(x => x.v.Where == null ? 0 : 1).ThenBy(x => x.v.Where, StringComparer.Ordinal).ThenBy(x => x.v.Offset ?? -1).ThenBy(x => x.i).Select(x => x.v).ToList();
        var firstSeen = _result.Violations.Select(v => v.Where).Distinct().ToList();
        sorted = sorted.OrderBy(v => firstSeen.IndexOf(v.Where)).ToList();
        _result.Violations.Clear();
        _result.Violations.AddRange(sorted);
        return _result;
    }

    internal string ForbiddenReference(string name) => $"references assembly {name}; a SIP may reference only {string.Join(", ", _options.AllowedAssemblies.OrderBy(x => x))} and contract assemblies ({string.Join(", ", _options.AllowedPrefixes.Select(p => p + "*"))})";

    // ----- failures while verifying -----------------------------------------------------------

    /// <summary>
    /// Runs the checks of one type or method so that what goes wrong there stays there: input it
    /// cannot read (corrupt metadata or body, an unresolvable reference), a use of a forbidden
    /// assembly, or an internal error is reported at that type or method, and verification goes on
    /// with the next, so one corrupt method does not hide the violations found elsewhere.
    /// </summary>
    private void Guarded(Func<string> where, Action check)
    {
        try { check(); }
        catch (Exception e) when (e is not OutOfMemoryException || ThrownByReader(e))
        {
            string w;
            try { w = where(); } catch (Exception) { w = null; }
            ReportFailure(e, w);
        }
    }

    /// <summary>
    /// Reports an exception that ended (part of) the verification. UnusableInputException carries
    /// its code (SV00xx: unusable input, exit 2; SV0107: a forbidden assembly met while resolving).
    /// Anything else thrown while Cecil or System.Reflection.Metadata read the input is corrupt
    /// metadata (SV0001; even OutOfMemoryException: a count read from a corrupt blob that Cecil
    /// allocated before reading); thrown by the verifier's own code it is an internal error
    /// (SV0005, exit 2, never a verdict): a verifier bug the fuzzer looks for.
    /// </summary>
    private void ReportFailure(Exception e, string where)
    {
        if (Environment.GetEnvironmentVariable("SING_VERIFY_TRACE") == "1") Console.Error.WriteLine((where == null ? "" : "in " + where + ": ") + e);
        string code, message;
        switch (e)
        {
            case UnusableInputException u:
                code = u.Code;
                message = where != null && u.Message.StartsWith(where + ": ", StringComparison.Ordinal) ? u.Message[(where.Length + 2)..] : u.Message;
                break;
            case InsufficientExecutionStackException:
                code = Codes.NotAnAssembly;
                message = "metadata nested too deeply to verify";
                break;
            default:
                if (ThrownByReader(e)) { code = Codes.NotAnAssembly; message = $"corrupt metadata ({e.GetType().Name}: {e.Message})"; }
                else { code = Codes.InternalError; message = $"internal error ({e.GetType().Name}: {e.Message}); the input is refused"; _result.InternalError ??= e; }
                break;
        }
        // An input error met by many methods (a missing assembly, a corrupt shared row) is reported once.
        if (Codes.IsInputError(code) && code != Codes.CorruptBody && _result.Violations.Any(v => v.Code == code && v.Message == message)) return;
        _result.Violations.Add(new Violation(_file, code, where, null, message));
    }

    /// <summary>Whether an exception was thrown inside the metadata readers (Cecil, System.Reflection.Metadata), under any .NET library frames, rather than by the verifier's own code.</summary>
    internal static bool ThrownByReader(Exception e)
    {
        foreach (var f in new System.Diagnostics.StackTrace(e, false).GetFrames())
        {
            string asm = f.GetMethod()?.DeclaringType?.Assembly.GetName().Name;
            if (asm == null) continue;
            if (asm is "Mono.Cecil" or "System.Reflection.Metadata") return true;
            if (asm.StartsWith("System.", StringComparison.Ordinal) || asm is "System" or "mscorlib" or "netstandard") continue;
            return false;
        }
        return false;
    }

    /// <summary>The PE container and its metadata are intact (sections inside the file, metadata tables readable) before Cecil reads them.</summary>
    /// <summary>Also the raw tables and signatures (TableCheck); returns the method rows whose bodies are corrupt.</summary>
    private static Dictionary<int, string> CheckPeImage(byte[] bytes)
    {
        try
        {
            using var pe = new System.Reflection.PortableExecutable.PEReader(System.Collections.Immutable.ImmutableArray.Create(bytes));
            var h = pe.PEHeaders;
            if (h.CorHeader == null || !pe.HasMetadata) throw new UnusableInputException(Codes.NotAnAssembly, "not a .NET assembly (no CLI header)");
            foreach (var s in h.SectionHeaders)
                if ((long)s.PointerToRawData + s.SizeOfRawData > bytes.Length)
                    throw new UnusableInputException(Codes.NotAnAssembly, $"truncated file: section {s.Name} ends at byte {(long)s.PointerToRawData + s.SizeOfRawData}, the file has {bytes.Length}");
            var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            if (!md.IsAssembly) throw new UnusableInputException(Codes.NotAnAssembly, "a module without an assembly manifest");
            foreach (var m in md.MethodDefinitions)
            {
                var def = md.GetMethodDefinition(m);
                if (def.RelativeVirtualAddress != 0) System.Reflection.Metadata.PEReaderExtensions.GetMethodBody(pe, def.RelativeVirtualAddress);
            }
            return TableCheck.Check(pe, md);
        }
        catch (UnusableInputException) { throw; }
        catch (Exception e) { throw new UnusableInputException(Codes.NotAnAssembly, $"not a valid .NET assembly ({e.GetType().Name}: {e.Message})"); }
    }

    // ----- reporting --------------------------------------------------------------------------

    internal void Report(string code, MethodDefinition m, int offset, string message)
        => _result.Violations.Add(new Violation(_file, code, Where(m), offset, message));

    internal void Report(string code, string where, string message)
        => _result.Violations.Add(new Violation(_file, code, where, null, message));

    private static string Where(MethodDefinition m) => $"{TypeName(m.DeclaringType)}::{m.Name}";

    internal static string TypeName(TypeReference t) => t.DeclaringType != null ? TypeName(t.DeclaringType) + "/" + t.Name : string.IsNullOrEmpty(t.Namespace) ? t.Name : t.Namespace + "." + t.Name;

    // ----- the module -------------------------------------------------------------------------

    private void VerifyModule()
    {
        var asm = _module.Assembly;
        if (_options.TrustedAssemblies.Contains(asm.Name.Name))
            Report(Codes.IgnoresAccessChecks, asm.Name.Name, $"a SIP may not take the name of the trusted assembly {asm.Name.Name} (that name would see the core library's internals)");
        foreach (var r in _module.AssemblyReferences)
            if (!_options.IsAllowed(r.Name))
                Report(Codes.ForbiddenAssembly, asm.Name.Name, ForbiddenReference(r.Name));
        if (_module.ModuleReferences.Count > 0)
            foreach (var mr in _module.ModuleReferences) Report(Codes.PInvoke, asm.Name.Name, $"references native module '{mr.Name}'");
        foreach (var a in asm.CustomAttributes.Concat(_module.CustomAttributes))
        {
            string n = a.AttributeType.Name;
            if (n == "IgnoresAccessChecksToAttribute")
                Report(Codes.IgnoresAccessChecks, asm.Name.Name, $"[{n}] would bypass access checks");
            if (n == "SecurityPermissionAttribute" || n == "SkipVerification") Report(Codes.IgnoresAccessChecks, asm.Name.Name, $"[{n}]");
        }
        foreach (var t in AllTypes())
            Guarded(() => TypeName(t), () => VerifyType(t));
    }

    private IEnumerable<TypeDefinition> AllTypes()
    {
        var stack = new Stack<TypeDefinition>(_module.Types.Reverse());
        int guard = 0;
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (++guard > 1_000_000) throw new UnusableInputException(Codes.NotAnAssembly, "nested types form a cycle (corrupt metadata)");
            yield return t;
            foreach (var n in t.NestedTypes.Reverse()) stack.Push(n);
        }
    }

    private void VerifyType(TypeDefinition t)
    {
        string tn = TypeName(t);
        if (t.BaseType != null) CheckSignatureType(t.BaseType, tn, "base type");
        bool explicitLayout = t.IsExplicitLayout;
        foreach (var f in t.Fields)
        {
            string where = tn + "::" + f.Name;
            var ft = f.FieldType;
            if (ContainsPointer(ft)) Report(Codes.PointerType, where, $"field of pointer type {ft.FullName}");
            if (TypeSystem.Strip(ft) is ByReferenceType) Report(Codes.ByRefField, where, "ref field (a byref stored in an object)");
            if (explicitLayout && !f.IsStatic && f.FieldType is not PointerType && ContainsReferences(ft))
                Report(Codes.ExplicitLayout, where, $"explicit layout with an object reference field: overlapping it with other fields would forge references");
            if (f.IsStatic) CheckStatic(t, f, where);
            if (f.IsPInvokeImpl) Report(Codes.PInvoke, where, "field marked pinvokeimpl");
        }
        foreach (var m in t.Methods) Guarded(() => Where(m), () => VerifyMethod(m));
    }

    private void CheckStatic(TypeDefinition t, FieldDefinition f, string where)
    {
        if (f.IsLiteral) return;                                   // a constant: no storage
        if (f.HasFieldRVA) return;                                 // compile-time data (array initialisers)
        if (Tracking.IsTracked(f.FieldType)) { Report(Codes.StoredInHeap, where, $"static field of tracked type {f.FieldType.FullName}"); return; }
        // The C# compiler's cache of non-capturing lambdas: <>c.<>9 (the closure singleton) and <>c.<>9__N (delegates).
        if (t.Name.StartsWith("<>c", StringComparison.Ordinal) && TypeSystem.HasAttribute(t, "System.Runtime.CompilerServices.CompilerGeneratedAttribute") && f.Name.StartsWith("<>9", StringComparison.Ordinal)
            && t.Fields.All(x => x.IsStatic) && (Types.Same(f.FieldType, t) || Types.IsDelegate(f.FieldType)))
            return;
        if (!f.IsInitOnly) { Report(Codes.MutableStatic, where, $"mutable static field (SIPs have no mutable statics; make it readonly, a const, or an instance field)"); return; }
        if (!IsImmutable(f.FieldType, new HashSet<string>()))
            Report(Codes.MutableStatic, where, $"readonly static field of mutable type {f.FieldType.FullName} (its contents could still change)");
    }

    /// <summary>Values of the type cannot change once built: primitives, enums, strings, and structs or sealed classes whose fields are readonly and immutable.</summary>
    internal bool IsImmutable(TypeReference t, HashSet<string> seen)
    {
        t = TypeSystem.Strip(t);
        if (t is ArrayType or ByReferenceType or PointerType or FunctionPointerType or GenericParameter) return false;
        if (t.IsPrimitive) return true;
        string k = Types.Key(t);
        if (k is "System.String" or "System.Decimal") return true;
        if (k is "System.Object") return false;
        if (!seen.Add(k)) return true;
        var d = Types.Resolve(t);
        if (d.IsEnum) return true;
        if (d.IsInterface || Types.IsDelegate(t)) return false;
        if (!d.IsValueType && !d.IsSealed) return false;
        foreach (var c in d.IsValueType ? new[] { t } : new[] { t }.Concat(Types.BaseChain(t)))
        {
            var cd = Types.Resolve(c);
            if (Types.Key(cd) == "System.Object") break;
            foreach (var f in cd.Fields)
            {
                if (f.IsStatic) continue;
                if (!d.IsValueType && !f.IsInitOnly) return false;
                if (!IsImmutable(TypeSystem.Inflate(f.FieldType, f), seen)) return false;
            }
        }
        return true;
    }

    private void VerifyMethod(MethodDefinition m)
    {
        string where = Where(m);
        if (m.IsPInvokeImpl || m.HasPInvokeInfo) Report(Codes.PInvoke, where, "P/Invoke (DllImport) method");
        bool delegateRuntime = m.IsRuntime && Types.IsDelegate(m.DeclaringType);
        if (m.IsInternalCall) Report(Codes.NativeImplementation, where, "InternalCall method (implemented by the runtime)");
        else if (m.IsNative || m.IsUnmanaged) Report(Codes.NativeImplementation, where, "native or unmanaged method implementation");
        else if (m.IsRuntime && !delegateRuntime) Report(Codes.NativeImplementation, where, "runtime-implemented method outside a delegate");
        else if ((!m.HasBody || m.RVA == 0) && !m.IsAbstract && !delegateRuntime && !m.IsPInvokeImpl) { Report(Codes.NativeImplementation, where, "extern method without a body"); return; }
        foreach (var a in m.CustomAttributes)
        {
            string n = a.AttributeType.Name;
            if (n is "RuntimeImportAttribute" or "RuntimeExportAttribute" or "UnmanagedCallersOnlyAttribute" or "DllImportAttribute" or "LibraryImportAttribute")
                Report(Codes.RuntimeImport, where, $"[{n.Replace("Attribute", "")}] binds the method to native code");
        }
        if (ContainsPointer(m.ReturnType)) Report(Codes.PointerType, where, $"returns pointer type {m.ReturnType.FullName}");
        foreach (var p in m.Parameters)
            if (ContainsPointer(p.ParameterType)) Report(Codes.PointerType, where, $"parameter {p.Name} has pointer type {p.ParameterType.FullName}");
        if (m.CallingConvention == MethodCallingConvention.VarArg) Report(Codes.UnverifiableOpcode, where, "vararg method");
        if (!m.HasBody) return;
        MethodBody body;
        if (_corruptBodies.TryGetValue((int)m.MetadataToken.RID, out string corrupt)) throw new UnusableInputException(Codes.CorruptBody, corrupt);
        try { body = m.Body; _ = body.Instructions.Count; }
        catch (Exception e) { throw new UnusableInputException(Codes.CorruptBody, $"{where}: the method body cannot be decoded ({e.Message})"); }
        foreach (var v in body.Variables)
        {
            if (ContainsPointer(v.VariableType)) Report(Codes.PointerType, m, 0, $"local {v.Index} has pointer type {v.VariableType.FullName}");
            if (v.IsPinned) Report(Codes.UnverifiableOpcode, m, 0, $"local {v.Index} is pinned (fixed statements are unsafe code)");
        }
        if (!CheckBodyShape(m, body)) return;
        try { new MethodVerifier(this, m).Run(); }
        catch (Exception e) when (Environment.GetEnvironmentVariable("SING_VERIFY_TRACE") == "1" && e is not UnusableInputException) { Console.Error.WriteLine("in " + m.FullName); throw; }
    }

    /// <summary>Operands and exception table in shape for the data-flow pass; false (reported) when the table breaks ECMA-335 II.19.</summary>
    private bool CheckBodyShape(MethodDefinition m, MethodBody body)
    {
        MetadataCheck.Body(body);
        foreach (var eh in body.ExceptionHandlers)
            if (eh.TryStart == null || eh.HandlerStart == null || (eh.HandlerType == ExceptionHandlerType.Filter && eh.FilterStart == null))
                throw new UnusableInputException(Codes.CorruptBody, $"{Where(m)}: an exception handler's bounds are not instruction boundaries");
        if (body.Instructions.Count > 0 && ExceptionTable.Check(body) is var (offset, why))
        {
            Report(Codes.ExceptionRegion, m, offset, why);
            return false;
        }
        return true;
    }

    // ----- uses of members from method bodies -------------------------------------------------

    private static readonly string[] ForbiddenNamespaces = { "System.Reflection", "System.Runtime.InteropServices", "System.Runtime.Loader", "System.Linq.Expressions" };
    private static readonly string[] TrustedOnlyTypes = { "System.Buffer", "System.Runtime.CompilerServices.Unsafe", "System.Runtime.RuntimeImports", "System.Runtime.TypeCast", "System.Runtime.RuntimeExports", "System.Activator", "System.Type", "System.RuntimeType", "System.Runtime.InteropServices.Marshal", "System.Runtime.InteropServices.GCHandle", "System.Runtime.InteropServices.MemoryMarshal" };

    internal MethodDefinition CheckMethodUse(MethodDefinition ctx, int offset, MethodReference mr)
    {
        var md = Types.Resolve(mr);
        if (!_useChecks.TryGetValue(mr, out var list))
        {
            list = new List<(string, string)>();
            if (ContainsPointer(mr.ReturnType) || mr.Parameters.Any(p => ContainsPointer(p.ParameterType)) || ContainsPointer(md.ReturnType) || md.Parameters.Any(p => ContainsPointer(p.ParameterType)))
                list.Add((Codes.PointerType, $"calls {mr.DeclaringType.Name}::{mr.Name}, whose signature has pointer types"));
            if (mr is GenericInstanceMethod gim && gim.GenericArguments.Any(ContainsPointer)) list.Add((Codes.PointerType, $"instantiates {mr.Name} over a pointer type"));
            CheckDeclaringType(mr.DeclaringType, md.DeclaringType, list, mr.Name);
            if (Types.Key(md.DeclaringType) == "System.Runtime.CompilerServices.RuntimeHelpers" && md.Name != "InitializeArray")
                list.Add((Codes.TrustedApi, $"RuntimeHelpers.{md.Name} is for the trusted runtime only"));
            if (md.DeclaringType.Module != _module && md.IsPInvokeImpl) list.Add((Codes.PInvoke, $"calls P/Invoke method {md.Name}"));
            if (!IsAccessible(md, ctx.DeclaringType, out string why)) list.Add((Codes.Inaccessible, $"{why} {TypeName(md.DeclaringType)}::{md.Name}"));
            _useChecks[mr] = list;
        }
        foreach (var (code, msg) in list) Report(code, ctx, offset, msg);
        return md;
    }

    internal FieldDefinition CheckFieldUse(MethodDefinition ctx, int offset, FieldReference fr)
    {
        var fd = Types.Resolve(fr);
        if (!_useChecks.TryGetValue(fr, out var list))
        {
            list = new List<(string, string)>();
            if (ContainsPointer(fd.FieldType)) list.Add((Codes.PointerType, $"uses field {fd.Name} of pointer type"));
            CheckDeclaringType(fr.DeclaringType, fd.DeclaringType, list, fd.Name);
            if (!IsAccessible(fd, ctx.DeclaringType, out string why)) list.Add((Codes.Inaccessible, $"{why} {TypeName(fd.DeclaringType)}::{fd.Name}"));
            _useChecks[fr] = list;
        }
        foreach (var (code, msg) in list) Report(code, ctx, offset, msg);
        return fd;
    }

    internal void CheckTypeUse(MethodDefinition ctx, int offset, TypeReference t)
    {
        if (!_useChecks.TryGetValue(t, out var list))
        {
            list = new List<(string, string)>();
            if (ContainsPointer(t)) list.Add((Codes.PointerType, $"uses pointer type {t.FullName}"));
            else
            {
                var e = TypeSystem.Strip(t);
                while (e is ArrayType or ByReferenceType) e = TypeSystem.Strip(((TypeSpecification)e).ElementType);
                if (e is not GenericParameter)
                {
                    var d = Types.Resolve(e);
                    CheckDeclaringType(e, d, list, null);
                    if (!IsAccessibleType(d, ctx.DeclaringType)) list.Add((Codes.Inaccessible, $"uses inaccessible type {TypeName(d)}"));
                    if (e is GenericInstanceType g)
                        foreach (var a in g.GenericArguments) if (ContainsPointer(a)) list.Add((Codes.PointerType, $"instantiates over pointer type {a.FullName}"));
                }
            }
            _useChecks[t] = list;
        }
        foreach (var (code, msg) in list) Report(code, ctx, offset, msg);
    }

    private void CheckDeclaringType(TypeReference tr, TypeDefinition td, List<(string, string)> list, string member)
    {
        string ns = td.Namespace;
        for (var o = td; o.DeclaringType != null; o = o.DeclaringType) ns = o.DeclaringType.Namespace;
        string k = Types.Key(td);
        string what = member == null ? TypeName(td) : $"{TypeName(td)}::{member}";
        if (td.Module != _module)
        {
            if (ForbiddenNamespaces.Any(f => ns == f || ns.StartsWith(f + ".", StringComparison.Ordinal)) && !TypeSystem.HasAttribute(td, "System.AttributeUsageAttribute") && !(td.BaseType?.Name == "Attribute"))
                list.Add((Codes.Reflection, $"uses {what}: reflection, interop and code generation are not available to SIPs"));
            else if (TrustedOnlyTypes.Contains(k) || ns == "Internal" || ns.StartsWith("Internal.", StringComparison.Ordinal))
                list.Add((Codes.TrustedApi, $"uses {what}, which only the trusted runtime may use"));
        }
        if (tr is GenericInstanceType g && g.GenericArguments.Any(ContainsPointer)) list.Add((Codes.PointerType, $"instantiates {td.Name} over a pointer type"));
    }

    // ----- accessibility (ECMA II.10.3 / I.8.5.3) --------------------------------------------

    private bool SameAssembly(TypeDefinition a, TypeDefinition b) => a.Module == b.Module;

    private static bool Encloses(TypeDefinition outer, TypeDefinition t)
    {
        for (var c = t; c != null; c = c.DeclaringType) if (c == outer) return true;
        return false;
    }

    private bool DerivesFrom(TypeDefinition t, TypeDefinition baseDef)
    {
        for (var c = t; c != null; c = c.DeclaringType)
        {
            if (c == baseDef) return true;
            foreach (var b in Types.BaseChain(c)) if (Types.Resolve(b) == baseDef) return true;
        }
        return false;
    }

    internal bool IsAccessibleType(TypeDefinition t, TypeDefinition from)
    {
        if (t.DeclaringType == null) return t.IsPublic || SameAssembly(t, from);
        if (!IsAccessibleType(t.DeclaringType, from)) return false;
        if (t.IsNestedPublic) return true;
        if (t.IsNestedPrivate) return Encloses(t.DeclaringType, from);
        if (t.IsNestedAssembly) return SameAssembly(t, from);
        if (t.IsNestedFamily) return DerivesFrom(from, t.DeclaringType) || Encloses(t.DeclaringType, from);
        if (t.IsNestedFamilyOrAssembly) return SameAssembly(t, from) || DerivesFrom(from, t.DeclaringType) || Encloses(t.DeclaringType, from);
        if (t.IsNestedFamilyAndAssembly) return SameAssembly(t, from) && (DerivesFrom(from, t.DeclaringType) || Encloses(t.DeclaringType, from));
        return false;
    }

    private bool IsAccessible(IMemberDefinition m, TypeDefinition from, out string why)
    {
        var dt = m.DeclaringType;
        why = "";
        if (!IsAccessibleType(dt, from)) { why = dt.Module != from.Module ? "uses a member of a type internal to another assembly:" : "uses a member of an inaccessible type:"; return false; }
        MethodAttributes? ma = m is MethodDefinition md ? md.Attributes & MethodAttributes.MemberAccessMask : null;
        FieldAttributes? fa = m is FieldDefinition fd ? fd.Attributes & FieldAttributes.FieldAccessMask : null;
        bool pub = ma == MethodAttributes.Public || fa == FieldAttributes.Public;
        bool priv = ma == MethodAttributes.Private || fa == FieldAttributes.Private || ma == MethodAttributes.CompilerControlled || fa == FieldAttributes.CompilerControlled;
        bool asm = ma == MethodAttributes.Assembly || fa == FieldAttributes.Assembly;
        bool fam = ma == MethodAttributes.Family || fa == FieldAttributes.Family;
        bool famOrAsm = ma == MethodAttributes.FamORAssem || fa == FieldAttributes.FamORAssem;
        bool famAndAsm = ma == MethodAttributes.FamANDAssem || fa == FieldAttributes.FamANDAssem;
        bool same = SameAssembly(dt, from);
        bool ok = pub
            || (priv && Encloses(dt, from))
            || (asm && same)
            || (fam && (DerivesFrom(from, dt) || Encloses(dt, from)))
            || (famOrAsm && (same || DerivesFrom(from, dt)))
            || (famAndAsm && same && DerivesFrom(from, dt));
        if (!ok) why = !same ? (priv ? "uses private member" : asm || famAndAsm ? "uses internal member of another assembly:" : "uses inaccessible member") : priv ? "uses private member of another type:" : "uses inaccessible member";
        return ok;
    }

    // ----- type shapes ------------------------------------------------------------------------

    private void CheckSignatureType(TypeReference t, string where, string what)
    {
        if (ContainsPointer(t)) Report(Codes.PointerType, where, $"{what} uses pointer type {t.FullName}");
    }

    internal static bool ContainsPointer(TypeReference t)
    {
        int guard = 0;
        while (t != null && guard++ < 100)
        {
            switch (t)
            {
                case PointerType or FunctionPointerType: return true;
                case GenericInstanceType g: return g.GenericArguments.Any(ContainsPointer) || ContainsPointer(g.ElementType) && false;
                case TypeSpecification ts: t = ts.ElementType; continue;
                default: return false;
            }
        }
        return false;
    }

    private bool ContainsReferences(TypeReference t)
    {
        t = TypeSystem.Strip(t);
        if (t is PointerType or FunctionPointerType) return false;
        if (!Types.IsValueType(t)) return true;
        if (t.IsPrimitive) return false;
        var d = Types.Resolve(t);
        if (d.IsEnum) return false;
        foreach (var f in d.Fields) if (!f.IsStatic && !Types.Same(f.FieldType, t) && ContainsReferences(TypeSystem.Inflate(f.FieldType, f))) return true;
        return false;
    }
}

/// <summary>Resolves assembly references only from the given directories (never from the host's .NET).</summary>
internal sealed class DirectoryResolver : IAssemblyResolver
{
    private readonly List<string> _dirs = new();
    private readonly Dictionary<string, AssemblyDefinition> _cache = new();

    private readonly VerifierOptions _options;

    public DirectoryResolver(IEnumerable<string> paths, VerifierOptions options = null)
    {
        _options = options;
        foreach (var p in paths)
        {
            if (string.IsNullOrEmpty(p)) continue;
            var d = File.Exists(p) ? Path.GetDirectoryName(Path.GetFullPath(p)) : Path.GetFullPath(p);
            if (!_dirs.Contains(d)) _dirs.Add(d);
        }
    }

    public AssemblyDefinition Resolve(AssemblyNameReference name) => Resolve(name, new ReaderParameters());

    public AssemblyDefinition Resolve(AssemblyNameReference name, ReaderParameters parameters)
    {
        if (_cache.TryGetValue(name.Name, out var a)) return a;
        // A SIP may not use another assembly (SV0107, reported for the reference itself): what needs
        // one is refused where it is met, not taken as unusable input (exit 1, not 2).
        if (_options != null && !_options.IsAllowed(name.Name) && name.Name != CecilCoreLibrary.Name)
            throw new UnusableInputException(Codes.ForbiddenAssembly, $"uses assembly {name.Name}, which a SIP may not reference (not verified further)");
        foreach (var d in _dirs)
        {
            var f = Path.Combine(d, name.Name + ".dll");
            if (!File.Exists(f)) continue;
            try
            {
                a = AssemblyDefinition.ReadAssembly(new MemoryStream(File.ReadAllBytes(f)), new ReaderParameters { AssemblyResolver = this, ReadingMode = ReadingMode.Deferred });
                CecilCoreLibrary.Fix(a.MainModule);
            }
            catch (Exception e) { throw new UnusableInputException(Codes.UnresolvedReference, $"referenced assembly {f} cannot be read: {e.Message}"); }
            _cache[name.Name] = a;
            return a;
        }
        throw new UnusableInputException(Codes.UnresolvedReference, $"cannot find referenced assembly {name.Name} (searched {string.Join(", ", _dirs)}; add its directory with -r)");
    }

    public void Dispose()
    {
        foreach (var a in _cache.Values) a.Dispose();
        _cache.Clear();
    }
}

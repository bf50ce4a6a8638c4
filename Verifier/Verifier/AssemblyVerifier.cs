using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>What the verifier is told about its environment.</summary>
public sealed class VerifierOptions
{
    /// <summary>Directories (or files, meaning their directory) where referenced assemblies are found.</summary>
    public List<string> ReferencePaths { get; } = new();

    /// <summary>Assemblies a SIP may reference by name: the SIP core library and the trusted runtime. Any other must be a verified SIP library (LibraryAdmission.cs).</summary>
    public HashSet<string> AllowedAssemblies { get; } = new(StringComparer.Ordinal) { "Singularity.Corlib", "Singularity.Runtime" };

    /// <summary>Assemblies that are trusted: their internals are never visible to a SIP, and a SIP may not take their name.</summary>
    public HashSet<string> TrustedAssemblies { get; } = new(StringComparer.Ordinal) { "Singularity.Corlib", "Singularity.Runtime", "Singularity.Kernel" };

    /// <summary>Only extract the manifest (for test SIPs that opt out of verification with SipVerify=false).</summary>
    public bool ManifestOnly { get; set; }

    /// <summary>The input is a SIP library (a library's own build, `--library`): it must carry [assembly: SipLibrary] (else SV0107); no manifest.</summary>
    public bool Library { get; set; }

    /// <summary>The bound on a method's data-flow block visits (0: <see cref="MethodVerifier.MaxVisits"/>, which scales with the method); past it, SV0219.</summary>
    public long MaxBlockVisits { get; set; }

    /// <summary>The SIP's name when it has no [SipManifest] (the build's SipName); default: the assembly name in lower case.</summary>
    public string DefaultName { get; set; }

    public bool IsAllowed(string name) => AllowedAssemblies.Contains(name);

    /// <summary>The same environment for verifying a library a SIP references: every rule applies (never manifest-only).</summary>
    internal VerifierOptions ForLibrary()
    {
        var o = new VerifierOptions { MaxBlockVisits = MaxBlockVisits, Library = true };
        o.ReferencePaths.AddRange(ReferencePaths);
        o.AllowedAssemblies.UnionWith(AllowedAssemblies);
        o.TrustedAssemblies.UnionWith(TrustedAssemblies);
        return o;
    }
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
public sealed partial class AssemblyVerifier
{
    private readonly VerifierOptions _options;
    private VerificationResult _result;
    private string _file;
    private string _fullPath;
    internal TypeSystem Types { get; private set; }
    internal Tracking Tracking { get; private set; }
    private ModuleDefinition _module;
    private Dictionary<int, string> _corruptBodies = new();

    public AssemblyVerifier(VerifierOptions options = null) { _options = options ?? new VerifierOptions(); }

    internal VerifierOptions Options => _options;

    public static VerificationResult VerifyFile(string path, VerifierOptions options = null) => new AssemblyVerifier(options).Verify(path);

    public VerificationResult Verify(string path)
    {
        _file = Path.GetFileName(path);
        _fullPath = Path.GetFullPath(path);
        _result = new VerificationResult { File = _file };
        _useChecks.Clear();
        _signatureChecks.Clear();
        _constraints = null;
        _admitted.Clear();
        var resolver = new DirectoryResolver(_options.ReferencePaths.Prepend(Path.GetDirectoryName(Path.GetFullPath(path))), IsAdmitted);
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
            // Every referenced assembly other than the core library and the runtime must be a SIP
            // library that verifies (SV0107 otherwise), before this module's own code is looked at.
            Guarded(() => _module.Assembly.Name.Name, () => AdmitReferences(resolver));
            if (_options.Library && !IsSipLibrary(_module.Assembly))
                Report(Codes.ForbiddenAssembly, _module.Assembly.Name.Name, $"is verified as a SIP library but does not declare itself one ([assembly: SipLibrary] from {LibraryAttributeAssembly}), so no SIP may reference it");
            if (!_module.AssemblyReferences.Any(r => r.Name == CecilCoreLibrary.Name) && _module.Assembly.Name.Name != CecilCoreLibrary.Name)
            {
                // Built against another core library (mscorlib, System.Runtime ...): a readable assembly
                // that breaks the reference rule (exit 1). Its types resolve only in that library, so the
                // references are all that can be checked.
                string asm = _module.Assembly.Name.Name;
                Report(Codes.ForbiddenAssembly, asm, $"does not reference the SIP core library {CecilCoreLibrary.Name} (was it built as a SIP?)");
            }
            else
            {
                Types = new TypeSystem(_module);
                Tracking = new Tracking(Types);
                // Types, members and signatures are shared by every method: corrupt ones make the input unusable (SV0001).
                MetadataCheck.Module(_module);
                if (!_options.ManifestOnly) VerifyModule();
                if (!_options.Library) Guarded(() => _module.Assembly.Name.Name, () => _result.Manifest = Manifest.Extract(this, _module, _options.DefaultName));
                Guarded(() => _module.Assembly.Name.Name, CheckDriverApi);
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

    /// <summary>
    /// The driver library (namespace Singularity.Drivers of the runtime: I/O port and memory ranges)
    /// is for drivers only: a SIP whose manifest declares no [Device], or a SIP library, that
    /// references one of its types is refused (SV0403; docs/drivers.md).
    /// </summary>
    private void CheckDriverApi()
    {
        if (!_options.Library && _result.Manifest?.Device != null) return;
        foreach (TypeReference t in _module.GetTypeReferences().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (t.Namespace != "Singularity.Drivers" && !(t.DeclaringType?.Namespace == "Singularity.Drivers")) continue;
            Report(Codes.DriverApiWithoutDevice, t.FullName, _options.Library
                ? "the driver library is for driver SIPs only; a SIP library may not use it"
                : "the driver library is for drivers only: the SIP's manifest declares no [Device]");
        }
    }

    internal string ForbiddenReference(string name) => $"references assembly {name}; a SIP may reference only {string.Join(", ", _options.AllowedAssemblies.OrderBy(x => x))} and verified SIP libraries ([assembly: SipLibrary]: Libraries/, contracts)";

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

    private void CheckStatic(TypeDefinition t, FieldDefinition f, string where)
    {
        if (f.IsLiteral) return;                                   // a constant: no storage
        if (f.HasFieldRVA && f.IsInitOnly) return;                 // compile-time data (array initialisers); writable RVA data is a mutable static
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
        var gc = GenericContext.Of(m);
        if (ContainsPointer(m.ReturnType)) Report(Codes.PointerType, where, $"returns pointer type {m.ReturnType.FullName}");
        else if (TypeSystem.Strip(m.ReturnType).FullName != "System.Void") CheckSignature(m.ReturnType, m.DeclaringType, gc, where, "return type");
        foreach (var p in m.Parameters)
            if (ContainsPointer(p.ParameterType)) Report(Codes.PointerType, where, $"parameter {p.Name} has pointer type {p.ParameterType.FullName}");
            else CheckSignature(p.ParameterType, m.DeclaringType, gc, where, $"parameter {p.Name}");
        foreach (var gp in m.GenericParameters)
            foreach (var c in gp.Constraints) CheckSignature(c.ConstraintType, m.DeclaringType, gc, where, $"constraint of {gp.Name}");
        CheckSpecialName(m, where);
        if (m.CallingConvention == MethodCallingConvention.VarArg) Report(Codes.UnverifiableOpcode, where, "vararg method");
        if (!m.HasBody) return;
        MethodBody body;
        if (_corruptBodies.TryGetValue((int)m.MetadataToken.RID, out string corrupt)) throw new UnusableInputException(Codes.CorruptBody, corrupt);
        try { body = m.Body; _ = body.Instructions.Count; }
        catch (Exception e) { throw new UnusableInputException(Codes.CorruptBody, $"{where}: the method body cannot be decoded ({e.Message})"); }
        foreach (var v in body.Variables)
        {
            if (ContainsPointer(v.VariableType)) Report(Codes.PointerType, m, 0, $"local {v.Index} has pointer type {v.VariableType.FullName}");
            else CheckSignature(v.VariableType, m.DeclaringType, gc, where, $"local {v.Index}");
            if (v.IsPinned) Report(Codes.UnverifiableOpcode, m, 0, $"local {v.Index} is pinned (fixed statements are unsafe code)");
        }
        if (!CheckBodyShape(m, body)) return;
        foreach (var eh in body.ExceptionHandlers)
            if (eh.CatchType != null) CheckSignature(eh.CatchType, m.DeclaringType, gc, where, "catch type");
        try { new MethodVerifier(this, m).Run(); }
        catch (Exception e) when (Environment.GetEnvironmentVariable("SING_VERIFY_TRACE") == "1" && e is not UnusableInputException) { Console.Error.WriteLine("in " + m.FullName); throw; }
    }

    /// <summary>Constructors have the shape the runtime gives them: .ctor an instance method returning void, .cctor static, void and without parameters.</summary>
    private void CheckSpecialName(MethodDefinition m, string where)
    {
        bool isVoid = TypeSystem.Strip(m.ReturnType).FullName == "System.Void";
        if (m.Name == ".ctor" && (m.IsStatic || !isVoid || m.IsVirtual || m.HasGenericParameters || !m.IsRuntimeSpecialName))
            Report(Codes.InvalidType, where, "an instance constructor must be a non-virtual, non-generic instance method returning void, marked rtspecialname");
        else if (m.Name == ".cctor" && (!m.IsStatic || !isVoid || m.Parameters.Count > 0 || m.HasGenericParameters || !m.IsRuntimeSpecialName))
            Report(Codes.InvalidType, where, "a type initializer must be a static method without parameters returning void, marked rtspecialname");
        else if (m.IsRuntimeSpecialName && m.Name is not (".ctor" or ".cctor"))
            Report(Codes.InvalidType, where, $"rtspecialname on {m.Name}, which is not a constructor");
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
}

namespace Singularity.Verifier;

/// <summary>
/// Every diagnostic the verifier can report. docs/verifier.md lists each with an example; keep
/// the two in step. SV00xx: unusable input (exit 2). SV01xx: SIP policy. SV02xx: type safety
/// (ECMA-335 Partition III). SV03xx: ownership of tracked values. SV04xx: the manifest.
/// </summary>
public static class Codes
{
    // Unusable input (exit code 2).
    public const string NotAnAssembly = "SV0001";        // not a PE file, truncated, corrupt metadata
    public const string UnresolvedReference = "SV0002";  // an assembly, type or member that cannot be resolved
    public const string CorruptBody = "SV0003";          // a method body that cannot be decoded
    public const string IoError = "SV0004";              // the file cannot be read
    public const string InternalError = "SV0005";        // the verifier itself failed on the input (a verifier bug): refused, never a verdict

    // SIP policy.
    public const string PointerType = "SV0101";          // pointer or function-pointer type anywhere
    public const string UnverifiableOpcode = "SV0102";   // calli, jmp, arglist, localloc, cpblk, initblk, ldind/stind on native pointers, mkrefany...
    public const string PInvoke = "SV0103";              // P/Invoke (DllImport, pinvokeimpl)
    public const string NativeImplementation = "SV0104"; // InternalCall, native/runtime/unmanaged method, extern without body
    public const string RuntimeImport = "SV0105";        // RuntimeImport / RuntimeExport / UnmanagedCallersOnly
    public const string MutableStatic = "SV0106";        // a static field that is not readonly data of an immutable type
    public const string ForbiddenAssembly = "SV0107";    // a reference to an assembly outside the allowed set
    public const string Reflection = "SV0108";           // reflection, code emission, interop, method/field tokens
    public const string Inaccessible = "SV0109";         // internal/private member of another assembly (or private of another type)
    public const string TrustedApi = "SV0110";           // a public API of the trusted runtime that SIPs may not call (System.Buffer ...)
    public const string SkipLocalsInit = "SV0111";       // method with locals but without localsinit
    public const string ExplicitLayout = "SV0112";       // explicit layout overlapping object references
    public const string ByRefField = "SV0113";           // a ref field (byref-typed field)
    public const string IgnoresAccessChecks = "SV0114";  // IgnoresAccessChecksTo / InternalsVisibleTo tricks
    public const string ByRefLikeOnHeap = "SV0115";      // a ref struct (Span<T>...) that could reach the GC heap: field of a class or plain struct, static, box, boxing call, delegate

    // Type safety.
    public const string StackUnderflow = "SV0201";
    public const string StackOverflow = "SV0202";
    public const string StackMerge = "SV0203";           // incompatible stacks at a join point
    public const string BranchTarget = "SV0204";         // branch into the middle of an instruction, out of the method, or into a protected region
    public const string FallThrough = "SV0205";          // control falls off the end of the method
    public const string StackType = "SV0206";            // wrong operand types for an instruction
    public const string CallSignature = "SV0207";        // argument not assignable to the parameter; bad call form
    public const string ReturnType = "SV0208";           // ret with a value of the wrong type, or a non-empty stack
    public const string FieldAccess = "SV0209";          // field access on a wrong object, static/instance mismatch, value type mismatch
    public const string ElementAccess = "SV0210";        // array element access on a non-array or with the wrong element type
    public const string Cast = "SV0211";                 // box/unbox/castclass/isinst on the wrong kind of type
    public const string ByRefEscape = "SV0212";          // a byref to a local or argument escapes, or a readonly byref is written
    public const string Uninitialized = "SV0213";        // 'this' used before the base constructor ran, or a ctor returning without it
    public const string BadIndex = "SV0214";             // argument or local index out of range
    public const string ExceptionRegion = "SV0215";      // leave/endfinally/rethrow/ret misused, non-empty stack entering try
    public const string BadCall = "SV0216";              // abstract method called non-virtually, newobj of an abstract type, callvirt on static ...
    public const string DelegateCtor = "SV0217";         // delegate constructed other than ldftn/ldvirtftn + newobj with a matching method
    public const string InitOnlyWrite = "SV0218";        // write to a readonly field outside its constructor
    public const string NoFixedPoint = "SV0219";         // the data-flow pass did not converge within its bound (the method is refused, never verified forever)
    public const string Prefix = "SV0220";               // a prefix before an instruction it does not apply to (III.2), twice, or ending the method
    // Type rules of Partition II (SV023x).
    public const string GenericConstraint = "SV0230";    // an instantiation that breaks a generic constraint, or with the wrong number of arguments
    public const string InterfaceImpl = "SV0231";        // a concrete type that leaves an interface or abstract method unimplemented
    public const string BadOverride = "SV0232";          // an override of a final, inaccessible or non-virtual method, a mismatched signature, stronger constraints
    public const string InvalidType = "SV0233";          // a type that is no type: bad base or interface, cycles, abstract members in a concrete type, bad enum/delegate shape, bad variance

    // Ownership of tracked values (exchange heap blocks, endpoints).
    public const string UseAfterTransfer = "SV0301";
    public const string DoubleTransfer = "SV0302";
    public const string Leak = "SV0303";
    public const string StoredInHeap = "SV0304";         // tracked value stored in a GC object (field, array, static, box) other than TRef
    public const string TransferNotOwned = "SV0305";     // transfer of a value this method does not own

    // Manifest.
    public const string BadManifest = "SV0401";          // a manifest attribute with a missing or malformed argument
    public const string ManifestEndpoint = "SV0402";     // Imports/Exports naming a type that is not an endpoint
    public const string DriverApiWithoutDevice = "SV0403"; // the driver library (Singularity.Drivers) used by a SIP whose manifest declares no [Device], or by a library

    public static bool IsInputError(string code) => code.StartsWith("SV00", StringComparison.Ordinal);
}

/// <summary>One violation: printed as `file.dll: SV0xxx: Namespace.Type::Method at IL_00xx: message`.</summary>
public sealed record Violation(string File, string Code, string Where, int? Offset, string Message)
{
    public override string ToString()
    {
        string loc = Where == null ? "" : Offset is int o ? $"{Where} at IL_{o:x4}: " : $"{Where}: ";
        return $"{File}: {Code}: {loc}{Message}";
    }
}

/// <summary>Input the verifier cannot work with (exit 2), or, with code SV0107, a use of an assembly a SIP may not reference (met while resolving; exit 1).</summary>
public sealed class UnusableInputException : Exception
{
    public string Code { get; }
    public UnusableInputException(string code, string message, Exception inner = null) : base(message, inner) { Code = code; }
}

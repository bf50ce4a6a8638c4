using Mono.Cecil;
using Mono.Cecil.Cil;
using Singularity.Verifier;

namespace Singularity.Tools.TrustedSurface;

/// <summary>One method of a trusted assembly whose code is not verifiably type-safe, and why.</summary>
public sealed record UnsafeEntry(string Assembly, string TypeId, string Id, string Type, string Display, string Because, string Review, bool TypeReview, string TypeReviewText)
{
    /// <summary>The ids under which a review of this method may be written: its own, its property's, its type's for its name.</summary>
    public List<string> ReviewKeys { get; } = new();
}

/// <summary>
/// Finds the methods of a trusted assembly that use what safe code cannot: a pointer or
/// function-pointer type (signature, local, field, called member), a pinned local (`fixed`),
/// `stackalloc`, `calli`, `cpblk`/`initblk`, the intrinsics of <c>Unsafe</c>, native code behind a
/// <c>[RuntimeImport]</c>/InternalCall, or an entry point native code calls (<c>[RuntimeExport]</c>).
/// <c>Unsafe.SizeOf</c> alone does not count: it is a constant, like <c>sizeof</c> in safe code.
/// What C# spells `unsafe` without using any of these (an `unsafe` class whose method only does
/// arithmetic) is safe code and is not listed.
/// </summary>
public static class UnsafeCode
{
    public static List<UnsafeEntry> Scan(AssemblyDefinition assembly, DocComments docs)
    {
        var list = new List<UnsafeEntry>();
        string asm = assembly.Name.Name;
        foreach (var t in Surface.AllTypes(assembly.MainModule).OrderBy(DocIds.TypeName, StringComparer.Ordinal))
        {
            foreach (var m in t.Methods.OrderBy(m => Display.Method(m), StringComparer.Ordinal).ThenBy(DocIds.Of, StringComparer.Ordinal))
            {
                var because = Reasons(m);
                if (because.Count == 0) continue;
                // Compiler-generated helpers (lambdas, local functions) are reviewed with the method that declares them.
                var owner = t;
                while (owner.DeclaringType != null && owner.Name.Contains('<')) owner = owner.DeclaringType;
                string typeId = DocIds.Of(owner);
                string id = DocIds.Of(m);
                // An accessor's review may sit on its property (where C# puts the doc comment).
                var property = t.Properties.FirstOrDefault(p => p.GetMethod == m || p.SetMethod == m);
                string review = docs.UnsafeReview(id, typeId, ReviewName(m), out bool fromType);
                if (property != null && (review == null || fromType))
                {
                    string own = docs.UnsafeReview(DocIds.Of(property), DocIds.Of(property), "", out _);
                    if (own != null) { review = own; fromType = false; }
                }
                var entry = new UnsafeEntry(asm, typeId, id, Display.Type(owner), Display.Method(m), string.Join(", ", because), review, fromType && review != null, docs.TypeUnsafeReview(typeId));
                entry.ReviewKeys.Add(id);
                if (property != null) entry.ReviewKeys.Add(DocIds.Of(property));
                entry.ReviewKeys.Add(typeId + "|" + ReviewName(m));
                entry.ReviewKeys.Add(typeId + "|");
                list.Add(entry);
            }
        }
        return list;
    }

    // The name a type-level <unsafe member="..."> uses: the method's name; for a lambda or local
    // function, the name of the method that declares it (<Name>g__Local|0_0 -> Name).
    private static string ReviewName(MethodDefinition m)
    {
        string n = m.Name;
        if (n.StartsWith('<') && n.IndexOf('>') is int close and > 1) return n[1..close];
        return n;
    }

    public static List<string> Reasons(MethodDefinition m)
    {
        var r = new SortedSet<string>(StringComparer.Ordinal);
        if (m.IsPInvokeImpl || m.IsInternalCall || (!m.HasBody && !m.IsAbstract && !m.IsRuntime))
            r.Add(HasAttribute(m, "RuntimeImportAttribute") ? "native code ([RuntimeImport])" : "native code (InternalCall)");
        if (HasAttribute(m, "RuntimeExportAttribute")) r.Add("called from native code ([RuntimeExport])");
        if (SipPolicy.ContainsPointer(m.ReturnType) || m.Parameters.Any(p => SipPolicy.ContainsPointer(p.ParameterType))) r.Add("pointer in signature");
        if (!m.HasBody) return r.ToList();
        var body = m.Body;
        foreach (var v in body.Variables)
        {
            if (v.IsPinned) r.Add("pinned local (fixed)");
            else if (SipPolicy.ContainsPointer(v.VariableType)) r.Add("pointer local");
        }
        foreach (var ins in body.Instructions)
        {
            switch (ins.OpCode.Code)
            {
                case Code.Localloc: r.Add("stackalloc"); break;
                case Code.Calli: r.Add("calli (function pointer call)"); break;
                case Code.Cpblk: case Code.Initblk: r.Add("cpblk/initblk"); break;
            }
            switch (ins.Operand)
            {
                case FieldReference f when SipPolicy.ContainsPointer(f.FieldType) || IsFixedBuffer(f):
                    r.Add("pointer field"); break;
                case MethodReference mr:
                    // Unsafe.SizeOf is a constant of the type, as sizeof of a managed type in safe code: not counted.
                    if (mr.DeclaringType.FullName == "System.Runtime.CompilerServices.Unsafe") { if (mr.Name != "SizeOf") r.Add("Unsafe." + mr.Name); }
                    else if (SipPolicy.ContainsPointer(mr.ReturnType) || mr.Parameters.Any(p => SipPolicy.ContainsPointer(p.ParameterType)))
                        r.Add("calls a pointer API");
                    break;
            }
        }
        return r.ToList();
    }

    private static bool IsFixedBuffer(FieldReference f)
    {
        try { return Singularity.Verifier.TypeSystem.HasAttribute(f.Resolve(), "System.Runtime.CompilerServices.FixedBufferAttribute"); }
        catch { return false; }
    }

    private static bool HasAttribute(MethodDefinition m, string name) => m.CustomAttributes.Any(a => a.AttributeType.Name == name);
}

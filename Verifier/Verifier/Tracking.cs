using Mono.Cecil;
using Singularity.Ownership;

namespace Singularity.Verifier;

/// <summary>
/// Which types are tracked (linear) and which parameters claim ownership, read from the
/// attributes of Singularity.Channels (matched by full name) with a few built-in facts about
/// the runtime's own API, so the rules hold even where an attribute is missing. The model itself
/// (names, kinds, classification) is Verifier/Shared/TrackedTypes.cs, shared with the analyzer;
/// this class asks it through a Cecil view and caches the answers.
/// </summary>
public sealed class Tracking
{
    public const string Ns = TrackedTypes.Namespace;
    private readonly TypeSystem _ts;
    private readonly Dictionary<string, bool> _tracked = new();

    private readonly CecilTypeView _view;

    public Tracking(TypeSystem ts) { _ts = ts; _view = new CecilTypeView(ts); }

    public bool IsTracked(TypeReference t)
    {
        if (t == null) return false;
        t = TypeSystem.Strip(t);
        if (t is GenericParameter or ArrayType or ByReferenceType or PointerType or FunctionPointerType || t.IsPrimitive) return false;
        string key = _ts.Key(t is GenericInstanceType g ? g.ElementType : t);
        if (_tracked.TryGetValue(key, out bool r)) return r;
        _tracked[key] = false;   // a cycle guard while the base chain is walked
        r = TrackedTypes.KindOf(t, _view) != TrackedKind.None;
        _tracked[key] = r;
        return r;
    }

    /// <summary>
    /// Values that may be used once but may also be dropped: an <c>EndpointHandle</c> (one channel
    /// handle: wrapped in one endpoint or put in one message) and a generated endpoint's nested
    /// <c>Message</c> struct (its arguments are taken once). They are tracked (a copy is the same
    /// value, so taking or wrapping it twice is a double transfer), but dropping one is no leak.
    /// </summary>
    public bool IsAffine(TypeReference t)
    {
        if (t == null) return false;
        t = TypeSystem.Strip(t);
        if (t is GenericParameter or ArrayType or ByReferenceType or PointerType or FunctionPointerType || t.IsPrimitive) return false;
        string key = _ts.Key(t is GenericInstanceType g ? g.ElementType : t);
        if (_affine.TryGetValue(key, out bool r)) return r;
        r = TrackedTypes.IsAffine(t, _view);
        _affine[key] = r;
        return r;
    }

    private readonly Dictionary<string, bool> _affine = new();

    public bool IsEndpoint(TypeReference t)
    {
        t = TypeSystem.Strip(t);
        if (t is GenericParameter or ArrayType or ByReferenceType or PointerType or FunctionPointerType || t.IsPrimitive) return false;
        return TrackedTypes.IsEndpoint(t, _view);
    }

    public bool IsTRef(TypeReference t)
    {
        t = TypeSystem.Strip(t);
        if (t is GenericInstanceType g) t = g.ElementType;
        return _ts.Key(t) == Ns + "." + TrackedTypes.TRef;
    }

    private static bool ClaimsAttr(ICustomAttributeProvider p) => TypeSystem.HasAttribute(p, Ns + "." + TrackedTypes.ClaimsAttribute);

    /// <summary>Does parameter <paramref name="i"/> (0 = first declared parameter) take ownership?</summary>
    public bool ClaimsParameter(MethodDefinition m, int i)
    {
        if (i < 0 || i >= m.Parameters.Count) return false;
        if (ClaimsAttr(m.Parameters[i])) return true;
        string owner = _ts.Key(m.DeclaringType);
        if (owner == Ns + "." + TrackedTypes.TRef && (m.IsConstructor || m.Name == TrackedTypes.Release)) return true;
        // Endpoint.DetachHandle(endpoint): the endpoint's channel handle leaves it (to go into a message).
        if (owner == Ns + "." + TrackedTypes.Endpoint && m.Name == TrackedTypes.DetachHandle && IsTracked(m.Parameters[i].ParameterType)) return true;
        // A generated endpoint's FromHandle and constructor, and Endpoint's constructor, wrap the channel handle they are given.
        if ((m.Name == TrackedTypes.FromHandle || m.IsConstructor) && IsEndpoint(m.DeclaringType) && IsAffine(m.Parameters[i].ParameterType)) return true;
        return false;
    }

    /// <summary>
    /// Does <paramref name="m"/> never return (it ends the process)? Only the trusted runtime's own
    /// methods count: <c>Endpoint.ProtocolViolation</c> (it closes the endpoint and throws ProtocolViolationException), and any
    /// method of Singularity.Runtime or Singularity.Corlib marked <c>[DoesNotReturn]</c>.
    /// </summary>
    public bool NeverReturns(MethodDefinition m)
    {
        if (m == null || m.Module?.Assembly?.Name?.Name is not ("Singularity.Runtime" or "Singularity.Corlib")) return false;
        if (_ts.Key(m.DeclaringType) == Ns + "." + TrackedTypes.Endpoint && m.Name == TrackedTypes.ProtocolViolation) return true;
        return TypeSystem.HasAttribute(m, "System.Diagnostics.CodeAnalysis.DoesNotReturnAttribute");
    }

    /// <summary>Does calling <paramref name="m"/> end the ownership of its receiver (Free, Close, DetachHandle)?</summary>
    public bool ClaimsThis(MethodDefinition m)
    {
        if (!m.HasThis) return false;
        if (ClaimsAttr(m)) return true;
        if (!IsTracked(m.DeclaringType)) return false;
        // Free, Close, DetachHandle; Message.TakeX hands the message's arguments over (a message is taken once).
        return TrackedTypes.EndsReceiver(m.Name, IsAffine(m.DeclaringType) ? TrackedKind.Affine : TrackedKind.Linear);
    }
}

/// <summary>The tracked-type model's view of Cecil types: references are resolved to their definitions.</summary>
internal sealed class CecilTypeView : ITypeView<TypeReference>
{
    private readonly TypeSystem _ts;
    public CecilTypeView(TypeSystem ts) { _ts = ts; }
    public TypeReference Definition(TypeReference type) => _ts.Resolve(type);
    public TypeReference BaseType(TypeReference type) => (type as TypeDefinition ?? _ts.Resolve(type))?.BaseType is { } b ? _ts.Resolve(b) : null;
    public TypeReference DeclaringType(TypeReference type) => type.IsNested ? type.DeclaringType : null;
    public string Name(TypeReference type) => type.Name;
    public bool IsValueType(TypeReference type) => _ts.Resolve(type) is { IsValueType: true };
    public bool IsChannelsType(TypeReference type, string metadataName)
        => _ts.Key(type is GenericInstanceType g ? g.ElementType : type) == TrackedTypes.Namespace + "." + metadataName;
    public bool HasChannelsAttribute(TypeReference type, string attribute)
        => (type as TypeDefinition ?? _ts.Resolve(type)) is { } d && TypeSystem.HasAttribute(d, TrackedTypes.Namespace + "." + attribute);
}

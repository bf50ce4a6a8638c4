using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>
/// Which types are tracked (linear) and which parameters claim ownership, read from the
/// attributes of Singularity.Channels (matched by full name) with a few built-in facts about
/// the runtime's own API, so the rules hold even where an attribute is missing.
/// </summary>
public sealed class Tracking
{
    public const string Ns = "Singularity.Channels";
    private readonly TypeSystem _ts;
    private readonly Dictionary<string, bool> _tracked = new();

    public Tracking(TypeSystem ts) { _ts = ts; }

    public bool IsTracked(TypeReference t)
    {
        if (t == null) return false;
        t = TypeSystem.Strip(t);
        if (t is GenericParameter or ArrayType or ByReferenceType or PointerType or FunctionPointerType || t.IsPrimitive) return false;
        string key = _ts.Key(t is GenericInstanceType g ? g.ElementType : t);
        if (_tracked.TryGetValue(key, out bool r)) return r;
        _tracked[key] = false;
        var d = _ts.Resolve(t);
        r = false;
        if (IsAffine(t)) { _tracked[key] = true; return true; }
        int guard = 0;
        for (var c = d; c != null && guard++ < 200; c = c.BaseType == null ? null : _ts.Resolve(c.BaseType))
        {
            string k = _ts.Key(c);
            if (k is Ns + ".ExBuffer" or Ns + ".ExArray`1" or Ns + ".Endpoint" || TypeSystem.HasAttribute(c, Ns + ".TrackedAttribute")) { r = true; break; }
        }
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
        r = key == Ns + ".EndpointHandle";
        if (!r && t.IsNested && t.Name == "Message" && t.DeclaringType != null)
        {
            var d = _ts.Resolve(t);
            r = d != null && d.IsValueType && IsEndpoint(t.DeclaringType);
        }
        _affine[key] = r;
        return r;
    }

    private readonly Dictionary<string, bool> _affine = new();

    public bool IsEndpoint(TypeReference t)
    {
        t = TypeSystem.Strip(t);
        if (t is GenericParameter or ArrayType or ByReferenceType or PointerType or FunctionPointerType || t.IsPrimitive) return false;
        int guard = 0;
        for (var c = _ts.Resolve(t); c != null && guard++ < 200; c = c.BaseType == null ? null : _ts.Resolve(c.BaseType))
            if (_ts.Key(c) == Ns + ".Endpoint") return true;
        return false;
    }

    public bool IsTRef(TypeReference t)
    {
        t = TypeSystem.Strip(t);
        if (t is GenericInstanceType g) t = g.ElementType;
        return _ts.Key(t) == Ns + ".TRef`1";
    }

    private static bool ClaimsAttr(ICustomAttributeProvider p) => TypeSystem.HasAttribute(p, Ns + ".ClaimsAttribute");

    /// <summary>Does parameter <paramref name="i"/> (0 = first declared parameter) take ownership?</summary>
    public bool ClaimsParameter(MethodDefinition m, int i)
    {
        if (i < 0 || i >= m.Parameters.Count) return false;
        if (ClaimsAttr(m.Parameters[i])) return true;
        string owner = _ts.Key(m.DeclaringType);
        if (owner == Ns + ".TRef`1" && (m.IsConstructor || m.Name == "Release")) return true;
        // Endpoint.DetachHandle(endpoint): the endpoint's channel handle leaves it (to go into a message).
        if (owner == Ns + ".Endpoint" && m.Name == "DetachHandle" && IsTracked(m.Parameters[i].ParameterType)) return true;
        if (owner == Ns + ".MessageFrame" && m.Name.StartsWith("Put", StringComparison.Ordinal) && IsTracked(m.Parameters[i].ParameterType)) return true;
        // A generated endpoint's FromHandle and constructor, and Endpoint's constructor, wrap the channel handle they are given.
        if ((m.Name == "FromHandle" || m.IsConstructor) && IsEndpoint(m.DeclaringType) && IsAffine(m.Parameters[i].ParameterType)) return true;
        return false;
    }

    /// <summary>
    /// Does <paramref name="m"/> never return (it ends the process)? Only the trusted runtime's own
    /// methods count: <c>Endpoint.ProtocolViolation</c> (it calls the kernel's FailProcess), and any
    /// method of Singularity.Runtime or Singularity.Corlib marked <c>[DoesNotReturn]</c>.
    /// </summary>
    public bool NeverReturns(MethodDefinition m)
    {
        if (m == null || m.Module?.Assembly?.Name?.Name is not ("Singularity.Runtime" or "Singularity.Corlib")) return false;
        if (_ts.Key(m.DeclaringType) == Ns + ".Endpoint" && m.Name == "ProtocolViolation") return true;
        return TypeSystem.HasAttribute(m, "System.Diagnostics.CodeAnalysis.DoesNotReturnAttribute");
    }

    /// <summary>Does calling <paramref name="m"/> end the ownership of its receiver (Free, Close, DetachHandle)?</summary>
    public bool ClaimsThis(MethodDefinition m)
    {
        if (!m.HasThis) return false;
        if (ClaimsAttr(m)) return true;
        if (!IsTracked(m.DeclaringType)) return false;
        // Message.TakeX hands the message's arguments over: a message is taken once.
        if (m.Name.StartsWith("Take", StringComparison.Ordinal) && IsAffine(m.DeclaringType)) return true;
        return m.Name is "Free" or "Close" or "DetachHandle";
    }
}

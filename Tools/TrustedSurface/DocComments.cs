using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Singularity.Tools.TrustedSurface;

/// <summary>
/// The justifications, read from the C# compiler's XML documentation of a trusted assembly:
/// <c>&lt;safety&gt;</c> on a reachable type or member (why it is safe for a hostile caller) and
/// <c>&lt;unsafe&gt;</c> on a method with unsafe code (what it relies on, who checks it). A type
/// whose members all share one argument (an attribute, an exception) may give it once in
/// <c>&lt;allmembers&gt;</c>, for every member without a <c>&lt;safety&gt;</c> of its own. A type's
/// comment may also review its methods by name, <c>&lt;unsafe member="Name"&gt;</c>, and with a
/// plain <c>&lt;unsafe&gt;</c> review every unsafe method of the type that has no review of its own.
/// </summary>
public sealed class DocComments
{
    private readonly Dictionary<string, XElement> _members = new(StringComparer.Ordinal);

    public DocComments(IEnumerable<string> xmlFiles)
    {
        foreach (var f in xmlFiles)
        {
            if (!File.Exists(f)) throw new FileNotFoundException($"no XML documentation {f} (is GenerateDocumentationFile on, and the assembly built?)", f);
            foreach (var m in XDocument.Load(f).Descendants("member"))
            {
                string id = (string)m.Attribute("name");
                if (id != null) _members[id] = m;
            }
        }
    }

    /// <summary>Doc comments given directly (tests).</summary>
    public DocComments(IDictionary<string, XElement> members)
    {
        foreach (var (k, v) in members) _members[k] = v;
    }

    public string Safety(string id) => Text(Element(id, "safety"));

    /// <summary>A type's <c>&lt;allmembers&gt;</c>: the justification of each of its members that has no <c>&lt;safety&gt;</c> of its own.</summary>
    public string AllMembers(string typeId) => Text(Element(typeId, "allmembers"));

    /// <summary>
    /// The review of an unsafe method: its own, else its type's for that name, else its type's
    /// general one (<paramref name="general"/> true: shared by every method of the type without one of its own).
    /// </summary>
    public string UnsafeReview(string methodId, string typeId, string methodName, out bool general)
    {
        general = false;
        string own = Text(Element(methodId, "unsafe"));
        if (own != null) return own;
        if (!_members.TryGetValue(typeId, out var t)) return null;
        var named = t.Elements("unsafe").FirstOrDefault(e => (string)e.Attribute("member") == methodName);
        if (named != null) return Text(named);
        general = true;
        return Text(t.Elements("unsafe").FirstOrDefault(e => e.Attribute("member") == null));
    }

    /// <summary>Every review in the comments: (member id, null) for a member's own, (type id, name) for a type's named one.</summary>
    public IEnumerable<(string Id, string Member)> AllUnsafeReviews()
    {
        foreach (var (id, m) in _members)
            foreach (var e in m.Elements("unsafe"))
                yield return (id, (string)e.Attribute("member"));
    }

    /// <summary>A type's general <c>&lt;unsafe&gt;</c> review (the one without a member name).</summary>
    public string TypeUnsafeReview(string typeId) => Text(Element(typeId, "unsafe"));

    private XElement Element(string id, string name) =>
        _members.TryGetValue(id, out var m) ? m.Elements(name).FirstOrDefault(e => e.Attribute("member") == null) : null;

    /// <summary>An element's text as one line of Markdown: code elements in backticks, whitespace collapsed.</summary>
    public static string Text(XElement e)
    {
        if (e == null) return null;
        var sb = new StringBuilder();
        Append(e, sb);
        string s = Regex.Replace(sb.ToString(), @"\s+", " ").Trim();
        return s.Length == 0 ? null : s;
    }

    private static void Append(XElement e, StringBuilder sb)
    {
        foreach (var n in e.Nodes())
        {
            switch (n)
            {
                case XText t: sb.Append(t.Value); break;
                case XElement c when c.Name == "c" || c.Name == "code": sb.Append('`').Append(c.Value).Append('`'); break;
                case XElement c when c.Name == "see" || c.Name == "seealso":
                    string cref = (string)c.Attribute("cref") ?? (string)c.Attribute("langword") ?? "";
                    int colon = cref.IndexOf(':');
                    sb.Append('`').Append(c.Value.Length > 0 ? c.Value : colon == 1 ? cref[2..] : cref).Append('`');
                    break;
                case XElement c when c.Name == "paramref" || c.Name == "typeparamref": sb.Append('`').Append((string)c.Attribute("name")).Append('`'); break;
                case XElement c: Append(c, sb); break;
            }
        }
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

// The values that flow between pipeline stages. All are records of strings, numbers and
// EquatableArrays, so equal inputs give equal models and later stages stay cached.
namespace Singularity.ContractGenerator
{
    internal enum Direction { In, Out }

    // Handle: an untyped channel end (EndpointHandle) the receiver wraps with its own contract's FromHandle.
    internal enum ParamKind { Data, Buffer, Array, Endpoint, Handle }

    /// <summary>One argument of a message. TypeName is fully qualified (global::...).</summary>
    internal sealed record ParamModel(string Name, string TypeName, ParamKind Kind, string? ElementType, string? EndpointState, int Size);

    /// <summary>A message; Tag is its index in declaration order (the wire tag).</summary>
    internal sealed record MessageModel(string Name, Direction Direction, int Tag, EquatableArray<ParamModel> Params);

    internal sealed record StateModel(string Name, bool Closable);

    /// <summary>An edge of the state machine: in state From, message Tag moves to state To.</summary>
    internal sealed record TransitionModel(int From, int Tag, int To);

    /// <summary>Everything the emitter needs for one contract (no locations: edits elsewhere do not change it).</summary>
    internal sealed record ContractCode(
        string Namespace, string Name, string FullName,
        EquatableArray<MessageModel> Messages, EquatableArray<StateModel> States, EquatableArray<TransitionModel> Transitions);

    /// <summary>A location kept as plain values (Location objects do not compare by value).</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation(Compilation? compilation)
        {
            if (compilation != null)
                foreach (SyntaxTree tree in compilation.SyntaxTrees)
                    if (tree.FilePath == FilePath && Span.End <= tree.Length) return Location.Create(tree, Span);
            return Location.Create(FilePath, Span, LineSpan);
        }

        public static LocationInfo? From(Location? location)
        {
            if (location == null || location.SourceTree == null) return null;
            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
        }
    }

    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Args)
    {
        public Diagnostic ToDiagnostic(Compilation? compilation) =>
            Diagnostic.Create(Diagnostics.ById(Id), Location?.ToLocation(compilation) ?? Microsoft.CodeAnalysis.Location.None, Args.ToObjectArray());
    }

    /// <summary>The result of reading one contract: code to emit (null when it has errors) and diagnostics.</summary>
    internal sealed record ContractResult(ContractCode? Code, EquatableArray<DiagnosticInfo> Diagnostics);

    internal static class EquatableArrayExtensions
    {
        public static object[] ToObjectArray(this EquatableArray<string> array)
        {
            var result = new object[array.Length];
            for (int i = 0; i < result.Length; i++) result[i] = array[i];
            return result;
        }
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Singularity.ContractGenerator
{
    /// <summary>
    /// Maps an offset in a string's value to its position in source, so a protocol error points
    /// at the offending characters inside the literal (regular, verbatim or raw). For anything
    /// else (constants, concatenation, interpolation) the whole expression is the location.
    /// </summary>
    internal sealed class LiteralMapper
    {
        private readonly ExpressionSyntax? _expression;
        private readonly Location _fallback;
        private readonly int[]? _map;   // _map[i] = source position of value character i

        public LiteralMapper(ExpressionSyntax? expression, Location fallback, string value)
        {
            _expression = expression;
            _fallback = expression?.GetLocation() ?? fallback;
            if (expression is LiteralExpressionSyntax literal && literal.Token.ValueText == value)
                _map = Build(literal.Token, value);
        }

        public Location Locate(int position, int length)
        {
            if (_map == null || _expression == null || _map.Length == 0) return _fallback;
            if (position < 0) position = 0;
            if (position >= _map.Length)
            {
                // The end of the protocol: point just after its last character.
                int end = _map[_map.Length - 1] + 1;
                return Location.Create(_expression.SyntaxTree, new TextSpan(end, 0));
            }
            int last = position + (length > 0 ? length - 1 : 0);
            if (last >= _map.Length) last = _map.Length - 1;
            int start = _map[position];
            return Location.Create(_expression.SyntaxTree, TextSpan.FromBounds(start, _map[last] + (length > 0 ? 1 : 0)));
        }

        private static int[]? Build(SyntaxToken token, string value)
        {
            string text = token.Text;
            int origin = token.SpanStart;
            var map = new int[value.Length];
            if (token.IsKind(SyntaxKind.StringLiteralToken) && text.Length >= 2 && text[0] == '"')
            {
                // Regular string: walk escapes; each escape yields one character (or a surrogate pair).
                int p = 1, i = 0;
                while (i < value.Length && p < text.Length - 1)
                {
                    int start = p;
                    if (text[p] == '\\')
                    {
                        char e = text[p + 1];
                        if (e == 'u') p += 6;
                        else if (e == 'U') { p += 10; if (i + 1 < value.Length && char.IsHighSurrogate(value[i])) map[i++] = origin + start; }
                        else if (e == 'x') { p += 2; int n = 0; while (n < 4 && p < text.Length - 1 && IsHex(text[p])) { p++; n++; } }
                        else p += 2;
                    }
                    else p++;
                    map[i++] = origin + start;
                }
                return i == value.Length ? map : null;
            }
            // Verbatim and raw strings have no escapes: match value characters in order, allowing
            // only whitespace (indentation, line breaks) to be skipped in the source.
            bool verbatim = text.StartsWith("@\"", System.StringComparison.Ordinal);
            int q = verbatim ? 2 : 0;
            if (!verbatim)
            {
                while (q < text.Length && text[q] == '"') q++;
                if (q < 3) return null;
            }
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                while (q < text.Length && text[q] != c)
                {
                    if (!char.IsWhiteSpace(text[q])) return null;
                    q++;
                }
                if (q >= text.Length) return null;
                map[i] = origin + q;
                q++;
                if (verbatim && c == '"') q++;   // "" stands for one quote
            }
            return map;
        }

        private static bool IsHex(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}

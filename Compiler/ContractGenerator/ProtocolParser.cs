using System.Collections.Generic;

namespace Singularity.ContractGenerator
{
    /// <summary>
    /// Recursive-descent parser for the protocol notation:
    /// <code>
    /// protocol := decl*
    /// decl     := ['closable'] 'state' Name ':' body
    /// body     := 'close' ';' | 'one' '{' (branch ';' | 'close' ';')* '}' [';'] | branch ';'
    /// branch   := step ('->' step)* '->' (Name | 'close')
    /// step     := Name '?' | Name '!' | '(' steps ('|' steps)* ')'
    /// steps    := step ('->' step)*
    /// </code>
    /// `//` starts a comment to the end of the line. The first error stops parsing.
    /// </summary>
    internal sealed class ProtocolParser
    {
        private readonly List<Token> _tokens;
        private int _next;

        private ProtocolParser(List<Token> tokens) { _tokens = tokens; }

        public static List<StateDecl> Parse(string text, out ProtocolError? error)
        {
            var decls = new List<StateDecl>();
            List<Token>? tokens = Lex(text, out error);
            if (tokens == null) return decls;
            var parser = new ProtocolParser(tokens);
            try
            {
                while (parser.Peek.Kind != TokenKind.End) decls.Add(parser.ParseDecl());
                if (decls.Count == 0) error = new ProtocolError(0, text.Length, "the protocol declares no state (expected 'state Name: ...;')");
            }
            catch (SyntaxException e)
            {
                error = e.Error;
            }
            return decls;
        }

        private StateDecl ParseDecl()
        {
            bool closable = false;
            if (IsWord("closable")) { closable = true; _next++; }
            if (!IsWord("state")) throw Error(Peek, "expected 'state'" + Found(Peek));
            _next++;
            Token name = Expect(TokenKind.Name, "a state name");
            if (IsKeyword(name.Text)) throw Error(name, "'" + name.Text + "' is a keyword and cannot name a state");
            Expect(TokenKind.Colon, "':' after the state name");
            var decl = new StateDecl(name.Text, name.Position, closable);
            if (IsWord("close"))
            {
                _next++;
                decl.Closable = true;
                Expect(TokenKind.Semicolon, "';' after 'close'");
            }
            else if (IsWord("one"))
            {
                _next++;
                Expect(TokenKind.LeftBrace, "'{' after 'one'");
                while (Peek.Kind != TokenKind.RightBrace)
                {
                    if (Peek.Kind == TokenKind.End) throw Error(Peek, "missing '}' to end 'one { ... }'");
                    if (IsWord("close")) { _next++; decl.Closable = true; }
                    else decl.Branches.Add(ParseBranch());
                    Expect(TokenKind.Semicolon, "';' after a branch of 'one { ... }'");
                }
                Token brace = Take();
                if (decl.Branches.Count == 0 && !decl.Closable) throw Error(brace, "'one { }' needs at least one branch");
                if (Peek.Kind == TokenKind.Semicolon) _next++;
            }
            else
            {
                decl.Branches.Add(ParseBranch());
                Expect(TokenKind.Semicolon, "';' to end the state");
            }
            return decl;
        }

        private Branch ParseBranch()
        {
            var branch = new Branch();
            while (true)
            {
                Token t = Peek;
                if (t.Kind == TokenKind.Name && !IsMessageAhead())
                {
                    // The target: a state name or `close`; it must end the branch.
                    _next++;
                    if (branch.Steps.Count == 0) throw Error(t, "a state must begin with a message (Name? or Name!), not a state name");
                    if (t.Text == "close") branch.TargetIsClose = true;
                    else if (IsKeyword(t.Text)) throw Error(t, "'" + t.Text + "' is a keyword and cannot name a state");
                    else branch.Target = t.Text;
                    branch.TargetPosition = t.Position;
                    if (Peek.Kind == TokenKind.Arrow) throw Error(Peek, "nothing may follow the target state '" + t.Text + "'");
                    return branch;
                }
                branch.Steps.Add(ParseStep());
                if (Peek.Kind != TokenKind.Arrow)
                    throw Error(Peek, "expected '->' and a target state after '" + Describe(_tokens[_next - 1]) + "'" + Found(Peek));
                _next++;
            }
        }

        private Step ParseStep()
        {
            Token t = Peek;
            if (t.Kind == TokenKind.LeftParen)
            {
                _next++;
                var choice = new ChoiceStep(t.Position);
                while (true)
                {
                    var alternative = new List<Step>();
                    alternative.Add(ParseStep());
                    while (Peek.Kind == TokenKind.Arrow) { _next++; alternative.Add(ParseStep()); }
                    choice.Alternatives.Add(alternative);
                    if (Peek.Kind == TokenKind.Bar) { _next++; continue; }
                    if (Peek.Kind == TokenKind.RightParen) { _next++; return choice; }
                    throw Error(Peek, "expected '|' or ')' in a choice" + Found(Peek));
                }
            }
            if (t.Kind == TokenKind.Name && IsMessageAhead())
            {
                _next += 2;
                return new ActionStep(t.Text, _tokens[_next - 1].Kind == TokenKind.Question, t.Position);
            }
            if (t.Kind == TokenKind.Name) throw Error(t, "'" + t.Text + "' needs '?' (the exporter receives it) or '!' (the exporter sends it) inside a choice");
            throw Error(t, "expected a message (Name? or Name!) or '('" + Found(t));
        }

        private bool IsMessageAhead()
        {
            TokenKind k = _tokens[_next + 1].Kind;
            return k == TokenKind.Question || k == TokenKind.Bang;
        }

        private static bool IsKeyword(string s) => s == "state" || s == "one" || s == "close" || s == "closable";

        private bool IsWord(string word) => Peek.Kind == TokenKind.Name && Peek.Text == word;

        private Token Peek => _tokens[_next];

        private Token Take() => _tokens[_next++];

        private Token Expect(TokenKind kind, string what)
        {
            Token t = Peek;
            if (t.Kind != kind) throw Error(t, "expected " + what + Found(t));
            _next++;
            return t;
        }

        private static string Found(Token t) => t.Kind == TokenKind.End ? ", found the end of the protocol" : ", found '" + t.Text + "'";

        private static string Describe(Token t) => t.Kind == TokenKind.RightParen ? ")" : t.Text;

        private static SyntaxException Error(Token t, string message) =>
            new SyntaxException(new ProtocolError(t.Position, t.Kind == TokenKind.End ? 0 : t.Text.Length, message));

        // ---- lexer ---------------------------------------------------------------------------

        private enum TokenKind { Name, Question, Bang, Arrow, LeftParen, RightParen, Bar, LeftBrace, RightBrace, Colon, Semicolon, End }

        private readonly struct Token
        {
            public Token(TokenKind kind, string text, int position) { Kind = kind; Text = text; Position = position; }
            public TokenKind Kind { get; }
            public string Text { get; }
            public int Position { get; }
        }

        private sealed class SyntaxException : System.Exception
        {
            public SyntaxException(ProtocolError error) { Error = error; }
            public ProtocolError Error { get; }
        }

        private static List<Token>? Lex(string s, out ProtocolError? error)
        {
            error = null;
            var tokens = new List<Token>();
            int i = 0;
            while (i < s.Length)
            {
                char c = s[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (c == '/' && i + 1 < s.Length && s[i + 1] == '/')
                {
                    while (i < s.Length && s[i] != '\n') i++;
                    continue;
                }
                if (char.IsLetter(c) || c == '_')
                {
                    int start = i;
                    while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
                    tokens.Add(new Token(TokenKind.Name, s.Substring(start, i - start), start));
                    continue;
                }
                if (c == '-' && i + 1 < s.Length && s[i + 1] == '>')
                {
                    tokens.Add(new Token(TokenKind.Arrow, "->", i));
                    i += 2;
                    continue;
                }
                TokenKind kind;
                switch (c)
                {
                    case '?': kind = TokenKind.Question; break;
                    case '!': kind = TokenKind.Bang; break;
                    case '(': kind = TokenKind.LeftParen; break;
                    case ')': kind = TokenKind.RightParen; break;
                    case '|': kind = TokenKind.Bar; break;
                    case '{': kind = TokenKind.LeftBrace; break;
                    case '}': kind = TokenKind.RightBrace; break;
                    case ':': kind = TokenKind.Colon; break;
                    case ';': kind = TokenKind.Semicolon; break;
                    default:
                        error = new ProtocolError(i, 1, "unexpected character '" + c + "'");
                        return null;
                }
                tokens.Add(new Token(kind, c.ToString(), i));
                i++;
            }
            // Two end tokens, so looking one past the current token never runs off the list.
            tokens.Add(new Token(TokenKind.End, "", s.Length));
            tokens.Add(new Token(TokenKind.End, "", s.Length));
            return tokens;
        }
    }
}

using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Singularity.Analyzers.CodeFixes
{
    /// <summary>SING0003: release the leaked value (x.Free() / x.Close()) where it goes out of scope.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReleaseLeakFix)), Shared]
    public sealed class ReleaseLeakFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("SING0003");
        public override FixAllProvider GetFixAllProvider() => null;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (var d in context.Diagnostics)
            {
                if (!d.Properties.TryGetValue("kind", out var kind) || kind != "scope") continue;
                if (!d.Properties.TryGetValue("var", out var name) || !d.Properties.TryGetValue("release", out var release)) continue;
                var title = "Add '" + name + "." + release + "()' here";
                context.RegisterCodeFix(CodeAction.Create(title,
                    ct => Task.FromResult(context.Document.WithSyntaxRoot(Insert(root, d.Location.SourceSpan, name, release))),
                    equivalenceKey: "SING0003"), d);
            }
        }

        static SyntaxNode Insert(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span, string name, string release)
        {
            var call = SyntaxFactory.ParseStatement(name + "." + release + "();").WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation);
            var token = root.FindToken(span.Start);
            // The leak is at a closing brace: append at the end of that block.
            if (token.IsKind(SyntaxKind.CloseBraceToken) && token.Parent is BlockSyntax block)
                return root.ReplaceNode(block, block.AddStatements(call));
            // The leak is at a statement (return, break, continue, a throwing call): insert before it.
            var statement = token.Parent?.FirstAncestorOrSelf<StatementSyntax>();
            if (statement == null) return root;
            if (statement.Parent is BlockSyntax parent)
                return root.ReplaceNode(parent, parent.WithStatements(parent.Statements.Insert(parent.Statements.IndexOf(statement), call)));
            if (statement.Parent is SwitchSectionSyntax section)
                return root.ReplaceNode(section, section.WithStatements(section.Statements.Insert(section.Statements.IndexOf(statement), call)));
            // An embedded statement (if (c) return;): wrap both in a block.
            return root.ReplaceNode(statement, SyntaxFactory.Block(call, statement.WithoutLeadingTrivia()).WithTriviaFrom(statement)
                .WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation));
        }
    }

    /// <summary>SING0009: make a static field of an immutable type readonly.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeReadonlyFix)), Shared]
    public sealed class MakeReadonlyFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("SING0009");
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (var d in context.Diagnostics)
            {
                if (!d.Properties.TryGetValue("fix", out var fix) || fix != "readonly") continue;
                var field = root.FindToken(d.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<FieldDeclarationSyntax>();
                if (field == null || field.Modifiers.Any(SyntaxKind.ReadOnlyKeyword)) continue;
                context.RegisterCodeFix(CodeAction.Create("Make the static field readonly",
                    ct => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(field, AddReadonly(field)))),
                    equivalenceKey: "SING0009"), d);
            }
        }

        static FieldDeclarationSyntax AddReadonly(FieldDeclarationSyntax field)
        {
            var modifiers = field.Modifiers;
            int at = modifiers.IndexOf(SyntaxKind.StaticKeyword);
            var token = SyntaxFactory.Token(SyntaxKind.ReadOnlyKeyword).WithTrailingTrivia(SyntaxFactory.Space);
            return field.WithModifiers(at >= 0 ? modifiers.Insert(at + 1, token) : modifiers.Add(token));
        }
    }

    /// <summary>SING0007: add case labels for the messages (and ChannelClosed/TimedOut) a switch receive misses.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddReceiveCasesFix)), Shared]
    public sealed class AddReceiveCasesFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("SING0007");
        public override FixAllProvider GetFixAllProvider() => null;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (var d in context.Diagnostics)
            {
                if (!d.Properties.TryGetValue("missing", out var missing) || !d.Properties.TryGetValue("tag", out var tag) || string.IsNullOrEmpty(tag)) continue;
                var sw = root.FindToken(d.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<SwitchStatementSyntax>();
                if (sw == null) continue;
                context.RegisterCodeFix(CodeAction.Create("Add the missing cases",
                    ct => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(sw, AddCases(sw, tag, missing.Split(','))))),
                    equivalenceKey: "SING0007"), d);
            }
        }

        static SwitchStatementSyntax AddCases(SwitchStatementSyntax sw, string tag, IEnumerable<string> missing)
        {
            var sections = new List<SwitchSectionSyntax>();
            foreach (var m in missing)
            {
                var label = SyntaxFactory.CaseSwitchLabel(SyntaxFactory.ParseExpression(tag + "." + m));
                var body = SyntaxFactory.BreakStatement().WithLeadingTrivia(SyntaxFactory.Comment("// TODO: handle " + m), SyntaxFactory.ElasticCarriageReturnLineFeed);
                sections.Add(SyntaxFactory.SwitchSection(SyntaxFactory.SingletonList<SwitchLabelSyntax>(label), SyntaxFactory.SingletonList<StatementSyntax>(body)));
            }
            return sw.AddSections(sections.ToArray()).WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation);
        }
    }

    /// <summary>SING0013: add [State("X")] to an endpoint parameter, one action per state its first use allows.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddStateFix)), Shared]
    public sealed class AddStateFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("SING0013");
        public override FixAllProvider GetFixAllProvider() => null;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (var d in context.Diagnostics)
            {
                if (!d.Properties.TryGetValue("states", out var states) || string.IsNullOrEmpty(states)) continue;
                var parameter = root.FindToken(d.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<ParameterSyntax>();
                if (parameter == null) continue;
                foreach (var state in states.Split(',').Take(4))
                    context.RegisterCodeFix(CodeAction.Create("Add [State(\"" + state + "\")] to '" + parameter.Identifier.Text + "'",
                        ct => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(parameter, AddState(parameter, state)))),
                        equivalenceKey: "SING0013:" + state), d);
            }
        }

        static ParameterSyntax AddState(ParameterSyntax parameter, string state)
        {
            var attribute = SyntaxFactory.Attribute(SyntaxFactory.ParseName("State"),
                SyntaxFactory.ParseAttributeArgumentList("(\"" + state.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\")"));
            // Into the parameter's last attribute list ([Claims, State("X")]), or a new one.
            if (parameter.AttributeLists.Count > 0)
            {
                var last = parameter.AttributeLists.Last();
                return parameter.ReplaceNode(last, last.AddAttributes(attribute));
            }
            var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute)).WithTrailingTrivia(SyntaxFactory.Space);
            return parameter.WithoutLeadingTrivia().AddAttributeLists(list).WithLeadingTrivia(parameter.GetLeadingTrivia());
        }
    }
}

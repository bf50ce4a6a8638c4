using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Singularity.ContractGenerator
{
    /// <summary>
    /// For every [Contract] interface, emits its Imp/Exp endpoint classes and NewChannel.
    /// Pipeline: attribute lookup -> ContractResult (value-equatable) -> two branches: the code
    /// model (no locations, so edits elsewhere leave it Unchanged and nothing is regenerated)
    /// and the diagnostics.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ContractSourceGenerator : IIncrementalGenerator
    {
        public const string ResultStep = "ContractResult";
        public const string CodeStep = "ContractCode";
        public const string DiagnosticsStep = "ContractDiagnostics";

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<ContractResult> results = context.SyntaxProvider
                .ForAttributeWithMetadataName(ContractReader.ContractAttributeName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (ctx, cancel) => ContractReader.Read(ctx, cancel))
                .WithTrackingName(ResultStep);

            IncrementalValuesProvider<ContractCode> code = results
                .Where(static r => r.Code != null)
                .Select(static (r, _) => r.Code!)
                .WithTrackingName(CodeStep);

            IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
                .Select(static (r, _) => r.Diagnostics)
                .WithTrackingName(DiagnosticsStep);

            context.RegisterSourceOutput(code, static (spc, contract) =>
            {
                string text;
                try
                {
                    text = Emitter.Emit(contract);
                }
                catch (Exception e)
                {
                    spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.InternalError, Location.None, contract.Name, e.GetType().Name + ": " + e.Message));
                    return;
                }
                spc.AddSource(HintName(contract), SourceText.From(text, System.Text.Encoding.UTF8));
            });

            // Diagnostics get real source locations back from the compilation's trees (so IDEs can
            // show them in place); this branch reruns on edits, the code branch above does not.
            context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (spc, pair) =>
            {
                foreach (DiagnosticInfo d in pair.Left) spc.ReportDiagnostic(d.ToDiagnostic(pair.Right));
            });
        }

        private static string HintName(ContractCode c) =>
            (c.Namespace.Length > 0 ? c.Namespace + "." : "") + c.Name + ".Contract.g.cs";
    }
}

// Generates a SIP-like project of about N lines (default 5,000) full of tracked values and
// endpoints, then measures (1) compiling it (binding every body, no analyzer) and (2) running the
// SING analyzers on it, with Roslyn's per-analyzer execution-time telemetry. Prints a table and
// exits non-zero if the generated (clean) code gets any SING diagnostic.
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Singularity.Analyzers;

int targetLines = args.Length > 0 ? int.Parse(args[0]) : 5000;
string standIn;
using (var s = typeof(OwnershipAnalyzer).Assembly.GetManifestResourceStream("StandIn.cs") ?? System.Reflection.Assembly.GetExecutingAssembly().GetManifestResourceStream("StandIn.cs")!)
using (var r = new StreamReader(s)) standIn = r.ReadToEnd();

var (source, lines, methods) = Generate(targetLines);
var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
    .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll")
    .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new OwnershipAnalyzer(), new SafetyAnalyzer(), new LayoutAnalyzer());

// The stand-in runtime is a referenced assembly, as the real one is (the analyzer trusts only that).
var standInRef = CSharpCompilation.Create("Singularity.StandIn",
    new[] { CSharpSyntaxTree.ParseText(standIn, new CSharpParseOptions(LanguageVersion.Latest), "StandIn.cs") },
    refs, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)).ToMetadataReference();

CSharpCompilation Fresh()
{
    var parse = new CSharpParseOptions(LanguageVersion.Latest);
    return CSharpCompilation.Create("BenchSip",
        new[] { CSharpSyntaxTree.ParseText(source, parse, "Generated.cs") },
        refs.Append(standInRef), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
}

// Warm up the JIT for both paths.
Fresh().GetDiagnostics();
await Fresh().WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();

const int runs = 5;
var compile = new List<double>();
var analyze = new List<double>();
var telemetry = new Dictionary<string, List<double>>();
ImmutableArray<Diagnostic> found = default;
for (int i = 0; i < runs; i++)
{
    var c = Fresh();
    var sw = Stopwatch.StartNew();
    var errors = c.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    compile.Add(sw.Elapsed.TotalMilliseconds);
    if (errors.Count > 0) { Console.Error.WriteLine(string.Join("\n", errors.Take(20))); return 2; }

    // Analyzers on an already-bound compilation: the time they add to a build.
    var withAnalyzers = c.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
        new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true));
    sw.Restart();
    found = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    analyze.Add(sw.Elapsed.TotalMilliseconds);
    foreach (var a in analyzers)
    {
        var t = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(a, CancellationToken.None);
        var name = a.GetType().Name;
        if (!telemetry.TryGetValue(name, out var list)) telemetry[name] = list = new List<double>();
        list.Add(t.ExecutionTime.TotalMilliseconds);
    }
}

static double Median(List<double> xs) { var s = xs.OrderBy(x => x).ToList(); return s[s.Count / 2]; }
Console.WriteLine($"generated: {lines} lines, {methods} methods (plus the stand-in channel API)");
Console.WriteLine($"compile (bind + diagnostics, no analyzer), median of {runs}: {Median(compile):F0} ms");
Console.WriteLine($"analyzers on the bound compilation, wall, median of {runs}: {Median(analyze):F0} ms");
foreach (var kv in telemetry) Console.WriteLine($"  {kv.Key} execution time (telemetry), median: {Median(kv.Value):F0} ms");
var generatedDiagnostics = found.Where(d => d.Location.SourceTree?.FilePath == "Generated.cs").ToList();
Console.WriteLine($"SING diagnostics in the generated (clean) code: {generatedDiagnostics.Count}");
foreach (var d in generatedDiagnostics.Take(10)) Console.WriteLine("  " + d);
Console.WriteLine(Median(analyze) < 2000 ? "target (< 2 s added): met" : "target (< 2 s added): MISSED");
return generatedDiagnostics.Count == 0 ? 0 : 1;

static (string Source, int Lines, int Methods) Generate(int target)
{
    var sb = new StringBuilder();
    sb.AppendLine("using System;");
    sb.AppendLine("using Singularity.Channels;");
    sb.AppendLine("using Demo;");
    sb.AppendLine("public static class Util { public static void Work(int i) { if (i < 0) throw new InvalidOperationException(); } }");
    int methods = 0, cls = 0;
    string[] templates =
    {
        // 0: buffer with try/finally around a throwing call
        """
            public static long Fill{0}(int n)
            {{
                var b = ExBuffer.Allocate(64 + n);
                try
                {{
                    for (int i = 0; i < n; i++)
                    {{
                        b.WriteInt64(0, i);
                        Util.Work(i);
                    }}
                    return b.ReadInt64(0);
                }}
                finally
                {{
                    b.Free();
                }}
            }}
        """,
        // 1: echo server loop
        """
            public static void Serve{0}([Claims][State("Start")] EchoContract.Exp ep)
            {{
                while (true)
                {{
                    switch (ep.Receive(out var m))
                    {{
                        case EchoContract.Exp.Tag.Ping:
                            m.TakePing(out int seq, out var payload);
                            if (payload.Length == 0) {{ payload.Free(); ep.SendBusy(); }}
                            else ep.SendPong(seq, payload);
                            break;
                        case EchoContract.Exp.Tag.ChannelClosed:
                            ep.Close();
                            return;
                    }}
                }}
            }}
        """,
        // 2: client round trip
        """
            public static long Ask{0}([State("Start")] EchoContract.Imp imp, int seq)
            {{
                var request = ExBuffer.Allocate(16);
                request.WriteInt64(0, seq);
                imp.SendPing(seq, request);
                switch (imp.Receive(out var m))
                {{
                    case EchoContract.Imp.Tag.Pong:
                        m.TakePong(out int back, out var reply);
                        long v = reply.ReadInt64(0);
                        reply.Free();
                        return v;
                    case EchoContract.Imp.Tag.Busy:
                        m.TakeBusy();
                        return -1;
                    case EchoContract.Imp.Tag.ChannelClosed:
                        return -2;
                }}
                return -3;
            }}
        """,
        // 3: file server
        """
            public static void Files{0}([Claims][State("Ready")] FileContract.Exp ep)
            {{
                while (true)
                {{
                    switch (ep.Receive(out var m))
                    {{
                        case FileContract.Exp.Tag.Read:
                            m.TakeRead(out long offset);
                            var data = ExBuffer.Allocate(512);
                            data.WriteInt64(0, offset);
                            ep.SendData(data);
                            break;
                        case FileContract.Exp.Tag.Write:
                            m.TakeWrite(out long at, out var incoming);
                            incoming.Free();
                            break;
                        case FileContract.Exp.Tag.Bye:
                        case FileContract.Exp.Tag.ChannelClosed:
                            ep.Close();
                            return;
                    }}
                }}
            }}
        """,
        // 4: branches, loops and moves
        """
            public static ExBuffer Pick{0}(int k, int n)
            {{
                ExBuffer keep = default;
                for (int i = 0; i < n; i++)
                {{
                    var b = ExBuffer.Allocate(i + 1);
                    if (i == k && keep.IsNull)
                    {{
                        keep = b;
                        continue;
                    }}
                    b.Free();
                }}
                if (keep.IsNull) keep = ExBuffer.Allocate(1);
                return keep;
            }}
        """,
        // 5: a channel set up, used and torn down
        """
            public static void Pair{0}()
            {{
                EchoContract.NewChannel(out var imp, out var exp);
                imp.SendPing(1, ExBuffer.Allocate(8));
                if (exp.RecvPing(out int seq, out var buf) == ReceiveResult.Message) exp.SendPong(seq, buf);
                else exp.SendBusy();
                if (imp.RecvPong(out int s2, out var back) == ReceiveResult.Message) back.Free();
                imp.Close();
                exp.Close();
            }}
        """,
    };
    int lines = 4;
    while (lines < target)
    {
        sb.AppendLine($"public static class Sip{cls++}");
        sb.AppendLine("{");
        lines += 2;
        for (int j = 0; j < 6 && lines < target; j++)
        {
            var text = string.Format(templates[(methods) % templates.Length], methods);
            sb.Append(text);
            lines += text.Split('\n').Length - 1;
            methods++;
        }
        sb.AppendLine("}");
        lines++;
    }
    return (sb.ToString(), lines, methods);
}

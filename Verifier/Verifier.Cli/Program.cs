using Singularity.Verifier;

// sing-verify: verifies SIP assemblies. One line per violation on stdout:
//   file.dll: SV0xxx: Namespace.Type::Method at IL_00xx: message
// Exit 0: every assembly verified; 1: at least one rejected; 2: unusable input or usage error.
internal static class Program
{
    private static int Main(string[] args)
    {
        try { return Run(args); }
        catch (Exception e)
        {
            // Never an unhandled exception: anything unexpected is reported as unusable input.
            Console.Error.WriteLine($"sing-verify: internal error: {e.GetType().Name}: {e.Message}");
            return 2;
        }
    }

    private static int Run(string[] args)
    {
        var options = new VerifierOptions();
        var files = new List<string>();
        string manifest = null, manifestDir = null;
        bool quiet = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{a} needs a value");
            try
            {
                switch (a)
                {
                    case "-r": case "--reference": options.ReferencePaths.Add(Next()); break;
                    case "--allow": options.AllowedAssemblies.Add(Next()); break;
                    case "--manifest": manifest = Next(); break;
                    case "--manifest-dir": manifestDir = Next(); break;
                    case "-q": case "--quiet": quiet = true; break;
                    case "--name": options.DefaultName = Next(); break;
                    case "--manifest-only": options.ManifestOnly = true; break;
                    case "--library": options.Library = true; break;
                    case "-h": case "--help": Usage(Console.Out); return 0;
                    default:
                        if (a.StartsWith('-') && a.Length > 1) throw new UsageException($"unknown option {a}");
                        files.Add(a);
                        break;
                }
            }
            catch (UsageException e) { Console.Error.WriteLine($"sing-verify: {e.Message}"); Usage(Console.Error); return 2; }
        }
        if (files.Count == 0) { Usage(Console.Error); return 2; }
        if (manifest != null && files.Count != 1) { Console.Error.WriteLine("sing-verify: --manifest names one file; use --manifest-dir for several assemblies"); return 2; }

        int worst = 0;
        foreach (var f in files)
        {
            var r = AssemblyVerifier.VerifyFile(f, options);
            foreach (var v in r.Violations) Console.Out.WriteLine(v.ToString());
            worst = Math.Max(worst, r.ExitCode);
            if (r.ExitCode == 0 && r.Manifest != null && (manifest != null || manifestDir != null))
            {
                string path = manifest ?? Path.Combine(manifestDir, r.Manifest.Name + ".manifest.json");
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path)));
                File.WriteAllText(path, r.Manifest.ToJson() + "\n");
            }
            if (!quiet)
                Console.Error.WriteLine(r.ExitCode switch
                {
                    0 => options.Library ? $"sing-verify: {r.File}: verified as a SIP library" : options.ManifestOnly ? $"sing-verify: {r.File}: NOT VERIFIED (--manifest-only), manifest extracted" : $"sing-verify: {r.File}: verified",
                    1 => $"sing-verify: {r.File}: REJECTED ({r.Violations.Count} violation{(r.Violations.Count == 1 ? "" : "s")})",
                    _ => $"sing-verify: {r.File}: unusable input",
                });
        }
        return worst;
    }

    private static void Usage(TextWriter w) => w.WriteLine(
        """
        usage: sing-verify [options] <assembly.dll>...
          -r, --reference <dir|dll>   where referenced assemblies are (Singularity.Corlib, Singularity.Runtime, SIP libraries); repeatable
          --allow <assembly>          also allow references to this assembly, unverified (never in a build)
          --library                   the input is a SIP library: it must carry [assembly: SipLibrary]; no manifest
          --manifest <file>           write the SIP's manifest (JSON) here when it verifies
          --manifest-dir <dir>        write NAME.manifest.json for each verified SIP here
          --name <name>               the SIP's name when it has no [SipManifest] (default: assembly name, lower case)
          --manifest-only             do not verify; only extract the manifest (test SIPs built with SipVerify=false)
          -q, --quiet                 no per-file summary on stderr
        exit status: 0 verified, 1 rejected, 2 unusable input
        codes: docs/verifier.md
        """);

    private sealed class UsageException(string message) : Exception(message);
}

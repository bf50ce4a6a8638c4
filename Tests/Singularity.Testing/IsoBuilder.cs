using System.Diagnostics;

namespace Singularity.Testing;

/// <summary>Builds a GRUB ISO with Boot/make-iso.sh, the script `./sing iso` uses, from the production image (as `./sing iso` does).</summary>
public static class IsoBuilder
{
    public static void Build(string outIso, string kernelArgs)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(QemuRunner.RepoRoot, "Boot", "make-iso.sh"));
        psi.ArgumentList.Add(QemuRunner.ProductionKernelImage);
        psi.ArgumentList.Add(outIso);
        foreach (string a in kernelArgs.Split(' ', StringSplitOptions.RemoveEmptyEntries)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException("make-iso.sh failed: " + err);
    }
}

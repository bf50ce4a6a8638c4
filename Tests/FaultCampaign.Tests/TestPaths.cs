namespace Singularity.Tests.FaultCampaign;

/// <summary>Where the repository is (above the running tests).</summary>
public static class TestPaths
{
    public static string Repo
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Singularity.sln"))) return d.FullName;
            throw new InvalidOperationException("not inside the repository");
        }
    }
}

using Singularity.Testing;

namespace Singularity.Tests.Kernel;

/// <summary>
/// How the driver suites run their attackers (HostileDriverTests, DisplayTests, SerialTests): up to
/// 100 bystander rounds and two minutes, then every attacker failed alone, and a grant (ports,
/// memory ranges, interrupt slots) charged and freed exactly: not a byte of kernel heap more after
/// each driver, and no driver saw a wrong value.
/// </summary>
internal static class DriverAttacks
{
    public static HostileResult RunExactly(HostileScenario scenario)
    {
        var result = scenario.AttackLimit(100).Timeout(TimeSpan.FromSeconds(120)).Run();
        result.KernelHeapAllowance = 0;
        result.ChildRecordAllowance = 0;
        result.FailedAlone();
        result.Log.DoesNotContain("WRONG");
        return result;
    }
}

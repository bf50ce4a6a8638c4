namespace Singularity.Tests.Kernel;

/// <summary>A block's charge moving between accounts (Processes/SipAccount.cs MoveBlockTo).</summary>
public class AccountMoveTests
{
    [Fact]
    public void AMovedBlockChangesTheTotalsBelowTheCommonAncestorOnly()
    {
        // The self-test moves one block's charge child to parent, between siblings, parent to child,
        // between cousins, to another root and back, and checks every account's own and total
        // blocks and bytes after each step; then all the accounts are ended and must be freed.
        BootAssert.Boot("test=accounts shutdown").Exited(QemuExit.Success)
            .Contains("selftest accounts: passed")
            .DoesNotContain("FAILED")
            .DoesNotContain("gave back more");
    }
}

using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Tests
{
    /// <summary>
    /// A block's charge moved between accounts (`test=accounts`; SipAccount.MoveBlockTo, what a
    /// block handed from one SIP to another does): the two accounts' own counters change, and so
    /// does every total below the accounts' common ancestor, never one above it, for siblings,
    /// parent and child both ways, cousins and two roots. Every account is given back and freed.
    /// </summary>
    internal static class AccountSelfTest
    {
        private const ulong Bytes = 4096;

        public static void Run()
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            SipQuota q = SipQuota.Default(16 * SipQuota.MiB);
            // root -> a -> a1, root -> b -> b1; other is a second root.
            var root = new SipAccount(900001, null, q);
            var a = new SipAccount(900002, root, q);
            var b = new SipAccount(900003, root, q);
            var a1 = new SipAccount(900004, a, q);
            var b1 = new SipAccount(900005, b, q);
            var other = new SipAccount(900006, null, q);
            SipAccount[] all = { root, a, b, a1, b1, other };

            a1.Force(Charge.Blocks, 1);
            a1.Force(Charge.Exchange, Bytes);
            Expect(all, "charged to a1", 0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0);
            a1.MoveBlockTo(a, Bytes);          // child to parent
            Expect(all, "a1 to its parent a", 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0);
            a.MoveBlockTo(b, Bytes);           // siblings
            Expect(all, "a to its sibling b", 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0);
            b.MoveBlockTo(b1, Bytes);          // parent to child
            Expect(all, "b to its child b1", 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0);
            b1.MoveBlockTo(a1, Bytes);         // cousins
            Expect(all, "b1 to its cousin a1", 0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0);
            a1.MoveBlockTo(other, Bytes);      // another tree
            Expect(all, "a1 to another root", 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1);
            other.MoveBlockTo(root, Bytes);    // root to root
            Expect(all, "another root to root", 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0);

            root.Release(Charge.Blocks, 1);
            root.Release(Charge.Exchange, Bytes);
            Expect(all, "given back", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            // Children first: an ended account goes once it and everything below it hold nothing.
            a1.End(); b1.End(); a.End(); b.End(); root.End(); other.End();
            for (int i = 0; i < all.Length; i++)
                if (SipAccount.Find(900001 + i) != null) Fail("an ended, empty account was not freed");
            Singularity.Kernel.Memory.Allocator.Free(all);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        // own[0..5] then total[0..5] blocks of root, a, b, a1, b1, other; the bytes must match them.
        private static void Expect(SipAccount[] all, string step, params int[] want)
        {
            for (int i = 0; i < all.Length; i++)
            {
                SipAccount x = all[i];
                ulong own = (ulong)want[i], total = (ulong)want[all.Length + i];
                if (x.Own(Charge.Blocks) != own || x.Own(Charge.Exchange) != own * Bytes
                    || x.Total(Charge.Blocks) != total || x.Total(Charge.Exchange) != total * Bytes)
                {
                    Log.Write("selftest accounts: FAILED after "); Log.Write(step); Log.Write(": account ");
                    Log.WriteDecimal((ulong)i); Log.Write(" own "); Log.WriteDecimal(x.Own(Charge.Blocks));
                    Log.Write(" total "); Log.WriteDecimal(x.Total(Charge.Blocks)); Log.WriteLine();
                    Platform.Exit(Platform.ExitTestFailed);
                }
            }
        }

        private static void Fail(string what)
        {
            Log.Write("selftest accounts: FAILED "); Log.WriteLine(what);
            Platform.Exit(Platform.ExitTestFailed);
        }
    }
}

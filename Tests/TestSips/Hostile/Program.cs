using Singularity;

// The attacker of the hostile-SIP suite (Tests/Kernel.Tests/Hostile*.cs). Verified safe C#, built
// like any SIP; each mode (its first argument) tries one class of attack on the trusted base
// through the public runtime API and core library, and reports what it saw. A mode that checks
// many misuses exits 0 only when every one was refused cleanly ("N probes, 0 unexpected").
public static class Program
{
    public static int Main()
    {
        string args = Sip.Arguments;
        int space = args.IndexOf(' ');
        string mode = space < 0 ? args : args.Substring(0, space);
        string rest = space < 0 ? "" : args.Substring(space + 1);
        if (mode == "nop") return 0;
        if (mode == "gcroots") return KnownAttacks.GcRoots();
        if (mode == "concat") return KnownAttacks.ConcatOverflow();
        if (mode == "stackedge") return StackEdge.Run(rest);
        if (mode == "sizes") return Sizes.Run();
        if (mode == "overflow") return Sizes.Overflow();
        if (mode == "handles") return Handles.Run();
        if (mode == "races") return Races.Run(rest);
        if (mode == "replyreceive") return ReplyAndReceive.Run();
        if (mode == "exhaust") return Exhaustion.Run(rest);
        if (mode == "bomb") return Bombs.Run(rest);
        Debug.WriteLine("hostile: unknown mode '" + mode + "'");
        return 2;
    }
}

using Singularity;

// The forging attacker of the hostile-SIP suite (Tests/Kernel.Tests/Hostile*.cs): what the verified
// attacker (Tests/TestSips/Hostile) cannot do, because the verifier refuses overlapping a runtime
// struct's private fields. It stands for a verifier bug, to show the kernel and the runtime hold
// even then. Modes: handles (guessed endpoint and block numbers, forged handle counts), frame
// (forged MessageFrame offsets), fastpath (forged block handles on the channel fast path).
public static class Program
{
    public static int Main()
    {
        string mode = Sip.Arguments;
        if (mode == "handles") return Forgery.Run();
        if (mode == "frame") return Forgery.ForgedFrameOffsets();
        if (mode == "fastpath") return ForgedFastPath.Run();
        Debug.WriteLine("hostileforger: unknown mode '" + mode + "'");
        return 2;
    }
}

using Singularity;
using Singularity.Threading;

// Fails in the way its first argument names, after a short delay so a bystander is seen running first.
public static unsafe class Program
{
    private sealed class Node { public int Value; public Node Next; }
    private static Node s_nothing;
    private static int s_zero;
    private static readonly byte[] s_int3 = { 0xCC, 0xC3 };
    private static readonly byte[] s_ud2 = { 0x0F, 0x0B, 0xC3 };

    public static int Main()
    {
        string kind = Sip.Arguments;
        Thread.Sleep(300);
        Debug.WriteLine("faulter: injecting " + kind);
        switch (kind)
        {
            case "nullderef": return s_nothing.Value;
            case "divzero": return 1000 / s_zero;
            case "stackoverflow": return Recurse(1);
            case "throw": throw new System.InvalidOperationException("injected by the faulter");
            case "gp": return *(int*)0x8000000000000000UL;          // non-canonical address
            case "ud": fixed (byte* p = s_ud2) ((delegate*<void>)p)(); return 0;
            case "int3": fixed (byte* p = s_int3) ((delegate*<void>)p)(); return 0;
            case "exit": return 7;
            default: Debug.WriteLine("faulter: unknown fault kind '" + kind + "'"); return 2;
        }
    }

    private static int Recurse(int depth)
    {
        var pad = new Node();
        pad.Value = depth;
        return Recurse(depth + 1) + pad.Value;
    }
}

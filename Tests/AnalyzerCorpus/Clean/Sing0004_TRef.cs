using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0004_TRef
{
    private sealed class Holder
    {
        public readonly TRef<EchoContract.Imp> Kept;
        public Holder([Claims] EchoContract.Imp ep) { Kept = new TRef<EchoContract.Imp>(ep); }
    }

    public static void F()
    {
        EchoContract.NewChannel(out EchoContract.Imp imp, out EchoContract.Exp exp);
        exp.Close();
        var h = new Holder(imp);
        EchoContract.Imp back = h.Kept.Acquire();
        back.Close();
    }
}

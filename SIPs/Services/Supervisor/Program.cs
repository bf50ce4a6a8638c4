using Singularity;
using Singularity.Text;
using Singularity.Threading;

// Keeps a service running: starts it, and when it fails restarts it after a back-off that
// doubles each time, up to a maximum number of restarts. A service that exits normally is
// not restarted, unless exits=restart: then an exit counts as a failure (a service that should
// run until the system stops is down either way; a fault campaign found the echo service exiting
// cleanly after a flipped test of its accept loop).
//
// Arguments: [max=N] [backoff=MS] [restart-args=WORD] [exits=stop|restart] -- MODULE [SERVICE ARGUMENTS...]
// The kernel passes them from the system manifest's `service` lines (docs/channels.md).
// restart-args: a restarted service gets WORD as its arguments instead of the first start's
// ("-" for none), e.g. to tell it to recover, or (fault campaigns) to start it without the fault.
public static class Program
{
    public static int Main()
    {
        var console = new Console();   // Libraries/Console: falls back to the kernel log while no console service runs
        string args = Sip.Arguments;
        // The first "--" (a single '-' may be part of an option name, as in restart-args=).
        int dash = args.IndexOf('-');
        while (dash >= 0 && dash + 1 < args.Length && args[dash + 1] != '-') dash = args.IndexOf('-', dash + 1);
        if (dash < 0 || dash + 1 >= args.Length)
        {
            console.WriteLine("supervisor: usage: [max=N] [backoff=MS] [restart-args=WORD] [exits=stop|restart] -- MODULE [ARGUMENTS]");
            return 2;
        }
        string policy = args.Substring(0, dash);
        string service = Words.Trim(args.Substring(dash + 2));
        int space = service.IndexOf(' ');
        string module = space < 0 ? service : service.Substring(0, space);
        string serviceArgs = space < 0 ? "" : service.Substring(space + 1);
        int maxRestarts = Options.Int(policy, "max=", 3);
        int backoff = Options.Int(policy, "backoff=", 100);
        string restartArgs = Options.Word(policy, "restart-args=", null);
        if (restartArgs == "-") restartArgs = "";
        string exits = Options.Word(policy, "exits=", "stop");
        if (exits != "stop" && exits != "restart")
        {
            console.WriteLine("supervisor: exits= takes 'stop' or 'restart', not '" + exits + "'");
            return 2;
        }
        if (module.Length == 0) { console.WriteLine("supervisor: no service module given"); return 2; }

        int restarts = 0;
        while (true)
        {
            int id = Processes.Start(module, restarts > 0 && restartArgs != null ? restartArgs : serviceArgs);
            console.WriteLine("supervisor: started " + module + "#" + id.ToString());
            SipOutcome outcome = Processes.Wait(id, -1, out int code);
            bool exited = outcome == SipOutcome.Exited;
            if (exited && exits == "stop")
            {
                console.WriteLine("supervisor: " + module + "#" + id.ToString() + " exited with code " + code.ToString() + "; not restarting");
                return 0;
            }
            if (restarts == maxRestarts)
            {
                console.WriteLine("supervisor: " + module + (exited ? " ended " : " failed ") + (restarts + 1).ToString() + " times; giving up");
                return 1;
            }
            restarts++;
            int delay = backoff << (restarts - 1);
            console.WriteLine("supervisor: " + module + "#" + id.ToString() + (exited ? " exited with code " + code.ToString() : " failed")
                            + "; restart " + restarts.ToString() + " of " + maxRestarts.ToString() + " in " + delay.ToString() + " ms");
            Thread.Sleep(delay);
        }
    }
}

using Singularity;
using Singularity.Threading;

// Keeps a service running: starts it, and when it fails restarts it after a back-off that
// doubles each time, up to a maximum number of restarts. A service that exits normally is
// not restarted.
//
// Arguments: [max=N] [backoff=MS] -- MODULE [SERVICE ARGUMENTS...]
// The kernel passes them from the system manifest's `service` lines (docs/channels.md).
public static class Program
{
    public static int Main()
    {
        string args = Sip.Arguments;
        int dash = args.IndexOf('-');
        if (dash < 0 || dash + 1 >= args.Length || args[dash + 1] != '-')
        {
            Debug.WriteLine("supervisor: usage: [max=N] [backoff=MS] -- MODULE [ARGUMENTS]");
            return 2;
        }
        string policy = args.Substring(0, dash);
        string service = Trim(args.Substring(dash + 2));
        int space = service.IndexOf(' ');
        string module = space < 0 ? service : service.Substring(0, space);
        string serviceArgs = space < 0 ? "" : service.Substring(space + 1);
        int maxRestarts = Option(policy, "max=", 3);
        int backoff = Option(policy, "backoff=", 100);
        if (module.Length == 0) { Debug.WriteLine("supervisor: no service module given"); return 2; }

        int restarts = 0;
        while (true)
        {
            int id = Processes.Start(module, serviceArgs);
            Debug.WriteLine("supervisor: started " + module + "#" + id.ToString());
            SipOutcome outcome = Processes.Wait(id, -1, out int code);
            if (outcome == SipOutcome.Exited)
            {
                Debug.WriteLine("supervisor: " + module + "#" + id.ToString() + " exited with code " + code.ToString() + "; not restarting");
                return 0;
            }
            if (restarts == maxRestarts)
            {
                Debug.WriteLine("supervisor: " + module + " failed " + (restarts + 1).ToString() + " times; giving up");
                return 1;
            }
            restarts++;
            int delay = backoff << (restarts - 1);
            Debug.WriteLine("supervisor: " + module + "#" + id.ToString() + " failed; restart " + restarts.ToString()
                            + " of " + maxRestarts.ToString() + " in " + delay.ToString() + " ms");
            Thread.Sleep(delay);
        }
    }

    private static int Option(string policy, string key, int fallback)
    {
        int at = policy.IndexOf(key[0]);
        while (at >= 0)
        {
            if (policy.Substring(at).StartsWith(key))
            {
                int v = 0, i = at + key.Length, digits = 0;
                while (i < policy.Length && policy[i] >= '0' && policy[i] <= '9') { v = v * 10 + (policy[i] - '0'); i++; digits++; }
                return digits > 0 ? v : fallback;
            }
            at = policy.IndexOf(key[0], at + 1);
        }
        return fallback;
    }

    private static string Trim(string s)
    {
        int a = 0, b = s.Length;
        while (a < b && s[a] == ' ') a++;
        while (b > a && s[b - 1] == ' ') b--;
        return s.Substring(a, b - a);
    }
}

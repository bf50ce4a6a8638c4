using Singularity;
using Singularity.Channels;
using Singularity.Threading;

// Authority attacks (issue 13): a verified SIP tries to act beyond what the system manifest
// granted it (docs/security.md). Each mode counts what the kernel let through that it should
// not have and ends with "N unexpected"; exit code 0 when that is 0.
//   processes   list, kill and wait for every SIP id, start boot modules: all refused
//   names       squat /service/console, fill the name table with names it was not granted
//   granted     register its granted names (8 at most per SIP), then others: only the granted ones
//   input       read the serial input: refused
//   children    granted `processes` (not `all`): controls the child it starts, and no other SIP
//   idle        sleeps (a child to control)
public static class Program
{
    public static int Main()
    {
        string mode = Sip.Arguments;
        var r = new Report("authority#" + Sip.Id.ToString() + " " + mode + ": ");
        switch (mode)
        {
            case "processes": ProcessControl(r); break;
            case "names": Names_(r); break;
            case "granted": Granted(r); break;
            case "input": Input(r); break;
            case "children": Children(r); break;
            case "idle": Thread.Sleep(60000); return 0;
            default: r.Say("unknown mode"); return 2;
        }
        r.Say(r.Unexpected.ToString() + " unexpected");
        return r.Unexpected == 0 ? 0 : 1;
    }

    private sealed class Report
    {
        private readonly string _me;
        public int Unexpected;

        public Report(string me) { _me = me; }

        public void Say(string text) => Debug.WriteLine(_me + text);

        public void Expect(bool refused, string what)
        {
            if (refused) return;
            Unexpected++;
            Say("UNEXPECTED: " + what);
        }
    }

    // Without the `processes` grant: nothing to list, and no id (guessed) can be killed or waited
    // for; no boot module can be started.
    private static void ProcessControl(Report r)
    {
        SipDescription[] sips = SystemInfo.Sips();
        r.Say("listed " + sips.Length.ToString() + " SIPs");
        r.Expect(sips.Length == 0, "SipList listed " + sips.Length.ToString() + " SIPs");
        int killed = 0, waited = 0;
        for (int id = 1; id <= 64; id++)
        {
            if (id == Sip.Id) continue;
            if (Processes.Wait(id, 0, out int code) != SipOutcome.Unknown) { waited++; r.Expect(false, "SipWait on SIP " + id.ToString()); }
            if (Processes.Kill(id)) { killed++; r.Expect(false, "SipKill of SIP " + id.ToString()); }
        }
        r.Say("killed " + killed.ToString() + ", waited for " + waited.ToString() + " of 63 guessed SIP ids");
        bool started = Processes.TryStart("counter", "", out int child, out string error);
        r.Say(started ? "started counter#" + child.ToString() : "start counter refused: " + error);
        r.Expect(!started, "started counter#" + child.ToString());
        started = Processes.TryStart("hostileauthority", "processes", out child, out error);
        r.Expect(!started, "started itself again as #" + child.ToString());
    }

    // With `processes` but not `all`: the SIP lists, waits for and kills the child it started,
    // and nothing else (guessed ids of the bystander, the console, the shell are refused).
    private static void Children(Report r)
    {
        bool started = Processes.TryStart("hostileauthority", "idle", out int child, out string error);
        r.Expect(started, "could not start its own child: " + error);
        if (!started) return;
        SipDescription[] sips = SystemInfo.Sips();
        bool onlyOwn = sips.Length == 2;
        for (int i = 0; i < sips.Length; i++) if (sips[i].Id != Sip.Id && sips[i].Id != child) onlyOwn = false;
        r.Say("listed " + sips.Length.ToString() + " SIPs");
        r.Expect(onlyOwn, "the list holds SIPs other than itself and its child");
        int killed = 0, waited = 0;
        for (int id = 1; id <= 64; id++)
        {
            if (id == Sip.Id || id == child) continue;
            if (Processes.Wait(id, 0, out int code) != SipOutcome.Unknown) { waited++; r.Expect(false, "SipWait on SIP " + id.ToString()); }
            if (Processes.Kill(id)) { killed++; r.Expect(false, "SipKill of SIP " + id.ToString()); }
        }
        r.Say("killed " + killed.ToString() + ", waited for " + waited.ToString() + " of the other SIP ids");
        r.Expect(Processes.Wait(child, 0, out int c1) == SipOutcome.Running, "its child is not seen running");
        r.Expect(Processes.Kill(child), "could not kill its own child");
        r.Expect(Processes.Wait(child, 5000, out int c2) == SipOutcome.Failed, "its killed child is not seen failed");
        r.Say("killed its own child");
    }

    // Without any name grant: /service/console cannot be taken (while the console runs, before it
    // starts, or after it died), and no other name can be registered.
    private static void Names_(Report r)
    {
        bool squatted = ServiceListener.TryRegister("/service/console", out ServiceListener console);
        r.Say("register " + "/service/console" + " -> " + (squatted ? "registered" : "refused"));
        r.Expect(!squatted, "registered " + "/service/console");
        if (squatted) console.Close();
        int filled = 0;
        for (int i = 0; i < 64; i++)
        {
            if (ServiceListener.TryRegister("/hostile/fill" + i.ToString(), out ServiceListener l))
            {
                filled++;
                l.Close();
            }
        }
        r.Say("registered " + filled.ToString() + " of 64 names it was not granted");
        r.Expect(filled == 0, "registered " + filled.ToString() + " names");
    }

    // Granted /hostile/n0../hostile/n7 (and n8, beyond the per-SIP limit): exactly 8 register; a
    // second instance after this one ended registers them again (the names went with their SIP).
    private static void Granted(Report r)
    {
        int registered = 0;
        var kept = new ServiceListener[9];
        for (int i = 0; i < 9; i++)
        {
            // The listener is kept open: the name stays registered until this SIP ends.
            if (ServiceListener.TryRegister("/hostile/n" + i.ToString(), out ServiceListener l)) kept[registered++] = l;
        }
        r.Say("registered " + registered.ToString() + " of 9 granted names");
        r.Expect(registered == 8, "registered " + registered.ToString() + " names, not the 8 a SIP may hold");
        int others = 0;
        for (int i = 0; i < 16; i++)
        {
            if (ServiceListener.TryRegister("/hostile/other" + i.ToString(), out ServiceListener l))
            {
                others++;
                l.Close();
            }
        }
        r.Expect(others == 0, "registered " + others.ToString() + " names it was not granted");
        // The names are bound to this SIP while it lives.
        bool bound = EndpointHandle.TryBind("/hostile/n0", out EndpointHandle c);
        if (bound) Wire.From(c).Close();
        r.Expect(bound, "could not bind its own name");
        Thread.Sleep(300);
        r.Expect(kept[0] != null, "kept no listener");
    }

    // Without the `console-input` grant the serial input is never this SIP's, whoever else reads it.
    private static void Input(Report r)
    {
        for (int k = 0; k < 3; k++)
        {
            string line = ConsoleInput.ReadLine();
            r.Expect(line == null, "read a line: " + line);
            Thread.Sleep(100);
        }
        r.Say("console input refused");
    }
}


using Singularity;
using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Threading;

// Authority attacks (issue 13): a verified SIP tries to act beyond what the system manifest
// granted it (docs/security.md). Each mode counts what the kernel let through that it should
// not have and ends with "N unexpected"; exit code 0 when that is 0.
//   processes   list, kill and wait for every SIP id, start boot modules: all refused
//   names       squat /service/console, fill the name table with names it was not granted
//   granted     register its granted names (8 at most per SIP), then others: only the granted ones
//   input       read the serial input: refused
//   lines       subscribe to the keyboard's lines (/service/console-lines) without `console-lines`, and to the
//               keys (/service/keyboard) and serial bytes (/service/serial) without `bind=`: all refused,
//               then 200 binds in a loop (the log names only the first refusals)
//   children    granted `processes` (not `all`): controls the child it starts, and no other SIP
//   typed       granted: the generated ProcessManagerContract.Imp on its /kernel/processes endpoint
//   forge KIND  granted: a message outside the contract on its endpoint fails that channel only
//   delegate    granted (and name=/hostile/delegate): forwards its endpoint to a child it started
//   delegated   the child: acts through the forwarded endpoint, for the SIP that granted it
//   hold-names  registers its granted /hostile/n0../hostile/n7 and holds them (for `accounts`)
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
            case "lines": Lines(r); break;
            case "children": Children(r); break;
            case "typed": Typed(r); break;
            case "delegate": Delegate(r); break;
            case "delegated": Delegated(r); return r.Unexpected == 0 ? 0 : 1;     // reported before its connection closed
            case "idle": Thread.Sleep(60000); return 0;
            case "hold-names": HoldNames(r); return 0;
            default:
                if (mode.StartsWith("forge ")) { Forge(r, mode.Substring(6)); break; }
                r.Say("unknown mode");
                return 2;
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
        // The process manager is an endpoint only granted SIPs receive: none to take.
        bool took = EndpointHandle.TryTakeStartup("/kernel/processes", out EndpointHandle pm);
        r.Say(took ? "took a process-manager endpoint" : "no process-manager endpoint");
        r.Expect(!took, "took /kernel/processes without the grant");
        if (took) Wire.From(pm).Close();
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

    // Holds eight names until killed: their strings are charged to this SIP (docs/accounting.md).
    private static void HoldNames(Report r)
    {
        var kept = new ServiceListener[8];
        int registered = 0;
        for (int i = 0; i < 8; i++)
            if (ServiceListener.TryRegister("/hostile/n" + i.ToString(), out ServiceListener l)) kept[registered++] = l;
        r.Say("holding " + registered.ToString() + " names");
        Thread.Sleep(600000);
    }

    // Without the `console-input` grant the serial input is never this SIP's, whoever else reads it.
    private static void Input(Report r)
    {
        // Console input is an endpoint only granted SIPs receive: none to take.
        bool took = EndpointHandle.TryTakeStartup("/kernel/console-input", out EndpointHandle input);
        r.Expect(!took, "took /kernel/console-input without the grant");
        if (took) Wire.From(input).Close();
        for (int k = 0; k < 3; k++)
        {
            string line = ConsoleInput.ReadLine();
            r.Expect(line == null, "read a line: " + line);
            Thread.Sleep(100);
        }
        r.Say("console input refused");
    }

    // Without the `console-lines` grant the name service refuses the bind to /service/console-lines
    // (the console service gives typed lines to its newest subscriber: a bind would take them from
    // the shell). Asked several times, as a reader that retries would.
    private static void Lines(Report r)
    {
        for (int k = 0; k < 5; k++)
        {
            ConsoleLinesContract.Bind("/service/console-lines", out ConsoleLinesContract.Imp lines);
            if (lines == null) { Thread.Sleep(100); continue; }
            // Bound: what it would have taken from the shell.
            string took = "nothing";
            try
            {
                if (lines.RecvLine(out int length, out ExBuffer text, 3000) == ReceiveResult.Message)
                {
                    text.Free();
                    took = "a typed line of " + length.ToString() + " bytes";
                }
            }
            finally { lines.Close(); }
            r.Expect(false, "bound /service/console-lines without the grant and took " + took);
        }
        r.Say("console lines refused");
        // The input services behind the console: the driver gives keys or bytes to its newest
        // subscriber, so a bind would take them from the console.
        for (int k = 0; k < 3; k++)
        {
            KeyboardContract.Bind(KeyCodes.ServiceName, out KeyboardContract.Imp keys);
            if (keys == null) { Thread.Sleep(100); continue; }
            keys.Close();
            r.Expect(false, "bound " + KeyCodes.ServiceName + " without the grant");
        }
        r.Say("keyboard keys refused");
        for (int k = 0; k < 3; k++)
        {
            SerialContract.Bind(SerialService.ServiceName, out SerialContract.Imp serial);
            if (serial == null) { Thread.Sleep(100); continue; }
            serial.Close();
            r.Expect(false, "bound " + SerialService.ServiceName + " without the grant");
        }
        r.Say("serial line refused");
        // A reader that retries without pause: every bind refused, and the kernel's log names only
        // the first few refusals (NameService.LoggedBindRefusals).
        int refused = 0;
        for (int k = 0; k < 200; k++)
        {
            KeyboardContract.Bind(KeyCodes.ServiceName, out KeyboardContract.Imp keys);
            if (keys == null) { refused++; continue; }
            keys.Close();
            r.Expect(false, "bound " + KeyCodes.ServiceName + " without the grant");
        }
        r.Say(refused.ToString() + " binds in a loop refused");
    }

    // The contract as the generator makes it, on the endpoint the kernel granted: every request
    // answered as the contract says.
    private static void Typed(Report r)
    {
        if (!EndpointHandle.TryTakeStartup("/kernel/processes", out EndpointHandle h)) { r.Expect(false, "no /kernel/processes endpoint"); return; }
        var pm = ProcessManagerContract.Imp.FromHandle(h, null);
        try
        {
            pm.SendKill(-1);
            bool refused = pm.RecvKilled(out int killed) == ReceiveResult.Message && killed == -1;
            r.Expect(refused, "Kill(-1) answered " + killed.ToString());
            pm.SendList(ExBuffer.Allocate(1024));
            bool listedOne = pm.RecvListed(out int count, out ExBuffer listed) == ReceiveResult.Message && count == 1;
            listed.Free();
            r.Expect(listedOne, "List answered " + count.ToString() + " SIPs, not itself alone");
            ExBuffer text = ExBuffer.Allocate(20);
            string line = "hostileauthorityidle";           // module "hostileauthority" (16), arguments "idle"
            for (int i = 0; i < line.Length; i++) text[i] = (byte)line[i];
            pm.SendStart(16, text);
            bool started = pm.RecvStarted(out int child) == ReceiveResult.Message && child > 0;
            r.Expect(started, "Start answered " + child.ToString());
            pm.SendWait(child, 1);                          // 1 ns: it is still running
            bool running = pm.RecvWaited(out int stillRunning, out int c0) == ReceiveResult.Message && stillRunning == 0;
            r.Expect(running, "Wait(child, 1 ns) answered " + stillRunning.ToString());
            pm.SendKill(child);
            bool killedChild = pm.RecvKilled(out int k) == ReceiveResult.Message && k == 0;
            r.Expect(killedChild, "Kill(child) answered " + k.ToString());
            pm.SendWait(child, 5_000_000_000);
            bool failed = pm.RecvWaited(out int outcome, out int c1) == ReceiveResult.Message && outcome == 2;
            r.Expect(failed, "Wait(child) answered " + outcome.ToString());
            r.Say("typed requests answered");
        }
        finally { pm.Close(); }
    }

    // A message outside the contract on the process-manager endpoint: the kernel closes that
    // channel (the attacker sees it closed) and nothing else changes; out-of-range fields in
    // well-formed requests are only refused, the channel stays.
    private static void Forge(Report r, string kind)
    {
        if (!EndpointHandle.TryTakeStartup("/kernel/processes", out EndpointHandle h)) { r.Expect(false, "no /kernel/processes endpoint"); return; }
        Wire w = Wire.From(h);
        try
        {
            if (kind == "fields") Fields(r, w);
            else if (!Forged(r, w, kind)) return;
        }
        finally { w.Close(); }
        // Only that channel failed: this SIP goes on (and without the endpoint has no process control).
        r.Expect(!Processes.TryStart("hostileauthority", "idle", out int id, out string error), "started #" + id.ToString() + " after giving its endpoint up");
        r.Say("still running");
    }

    private static bool Forged(Report r, Wire w, string kind)
    {
        var f = default(MessageFrame);
        switch (kind)
        {
            case "tag": f.Tag = 99; break;
            case "negative-tag": f.Tag = -7; break;
            case "reply-tag": f.Tag = 1; f.Put<int>(5); break;                // Started, which only the kernel sends
            case "start-without-text": f.Tag = 0; f.Put<int>(3); break;
            case "kill-with-block": f.Tag = 4; f.Put<int>(1); f.PutBuffer(ExBuffer.Allocate(8)); break;
            case "list-with-endpoint":
            {
                EndpointHandle.CreateChannel(out EndpointHandle x, out EndpointHandle y);
                f.Tag = 6;
                f.PutEndpoint(x);
                Wire.From(y).Close();
                break;
            }
            case "flood":
                // Requests whose replies are never read: the 17th finds the reply queue full.
                for (int i = 0; i < 16; i++)
                {
                    var k = default(MessageFrame);
                    k.Tag = 4;
                    k.Put<int>(-1);
                    w.Send(ref k);
                }
                f.Tag = 4;
                f.Put<int>(-1);
                break;
            default: r.Say("unknown forgery"); r.Unexpected++; return false;
        }
        w.Send(ref f);
        // What the kernel answered before the forgery is still there; then the channel is closed.
        int answers = 0;
        ReceiveResult got;
        while ((got = w.Receive(out MessageFrame reply, 5000)) == ReceiveResult.Message) answers++;
        r.Say("forged " + kind + ": " + answers.ToString() + " answers, then " + (got == ReceiveResult.ChannelClosed ? "closed" : "not closed"));
        r.Expect(got == ReceiveResult.ChannelClosed, "the channel was not closed after a forged " + kind);
        return true;
    }

    // Well-formed requests with hostile fields: each answered with a refusal, the channel stays.
    private static void Fields(Report r, Wire w)
    {
        // (element by element: the core library has no array initializers from metadata)
        var lengths = new int[6];
        lengths[0] = -1; lengths[1] = 0; lengths[2] = 65; lengths[3] = 1000; lengths[4] = int.MinValue; lengths[5] = int.MaxValue;
        for (int i = 0; i < lengths.Length; i++)
        {
            var s = default(MessageFrame);
            s.Tag = 0;
            s.Put<int>(lengths[i]);
            ExBuffer t = ExBuffer.Allocate(8);
            for (int j = 0; j < 8; j++) t[j] = (byte)'h';
            s.PutBuffer(t);
            w.Send(ref s);
            int started = ReplyInt(w, 1);
            r.Expect(started < 0 && started != int.MinValue, "Start with module length " + lengths[i].ToString() + " answered " + started.ToString());
        }
        var ids = new int[5];
        ids[0] = -1; ids[1] = 0; ids[2] = int.MinValue; ids[3] = int.MaxValue; ids[4] = Sip.Id;
        for (int i = 0; i < ids.Length; i++)
        {
            var q = default(MessageFrame);
            q.Tag = 4;
            q.Put<int>(ids[i]);
            w.Send(ref q);
            int killed = ReplyInt(w, 5);
            r.Expect(killed < 0 && killed != int.MinValue, "Kill(" + ids[i].ToString() + ") answered " + killed.ToString());
            var v = default(MessageFrame);
            v.Tag = 2;
            v.Put<int>(ids[i]);
            v.Put<long>(1);
            w.Send(ref v);
            int waited = ReplyInt(w, 3);
            r.Expect(waited < 0 && waited != int.MinValue, "Wait(" + ids[i].ToString() + ") answered " + waited.ToString());
        }
        var l = default(MessageFrame);
        l.Tag = 6;
        l.PutBuffer(ExBuffer.Allocate(3));              // too small for one record
        w.Send(ref l);
        int listed = ReplyInt(w, 7);
        r.Expect(listed == 0, "List into 3 bytes answered " + listed.ToString());
        r.Say("forged fields: refused, channel open");
    }

    // The first int of the next reply, which must have the given tag (its block freed); int.MinValue otherwise.
    private static int ReplyInt(Wire w, int tag)
    {
        if (w.Receive(out MessageFrame reply, 5000) != ReceiveResult.Message) return int.MinValue;
        if (reply.Tag != tag) return int.MinValue;
        int v = reply.Take<int>();
        if (tag == 7) reply.TakeBuffer().Free();
        return v;
    }

    // The holder forwards its endpoint to a child it starts; the child acts through it for the holder.
    private static void Delegate(Report r)
    {
        if (!ServiceListener.TryRegister("/hostile/delegate", out ServiceListener listener)) { r.Expect(false, "could not register /hostile/delegate"); return; }
        bool started = Processes.TryStart("hostileauthority", "delegated", out int child, out string error);
        r.Expect(started, "could not start the delegate: " + error);
        if (!started) return;
        if (listener.Accept(out EndpointHandle conn, 20000) != ReceiveResult.Message) { r.Expect(false, "the delegate did not connect"); return; }
        Wire w = Wire.From(conn);
        try
        {
            var f = default(MessageFrame);
            f.Tag = 0;
            f.Put<int>(Sip.Id);
            f.PutEndpoint(Processes.Detach());
            w.Send(ref f);
            // Given away: this SIP controls nothing now, not even its child.
            r.Expect(!Processes.Kill(child), "killed its child after giving its endpoint away");
            r.Say("delegated to #" + child.ToString());
            ReceiveResult end = w.Receive(out MessageFrame none, 60000);
            r.Expect(end == ReceiveResult.ChannelClosed, "the delegate did not end");
        }
        finally { w.Close(); }
        listener.Close();
    }

    private static void Delegated(Report r)
    {
        if (!EndpointHandle.TryBind("/hostile/delegate", out EndpointHandle conn, 20000)) { r.Expect(false, "could not bind /hostile/delegate"); return; }
        Wire w = Wire.From(conn);
        // The connection stays open until everything is reported: the holder ends when it closes,
        // and this SIP ends with the one that started it.
        try
        {
            if (w.Receive(out MessageFrame f, 20000) != ReceiveResult.Message) { r.Expect(false, "received no endpoint"); return; }
            int principal = f.Take<int>();
            Processes.Adopt(f.TakeEndpoint());
            ActForThePrincipal(r, principal);
        }
        finally
        {
            r.Say(r.Unexpected.ToString() + " unexpected");
            w.Close();
        }
    }

    // It acts for the SIP that granted the endpoint: that one's list, that one's children.
    private static void ActForThePrincipal(Report r, int principal)
    {
        SipDescription[] sips = SystemInfo.Sips();
        bool seesPrincipal = false, seesItself = false;
        for (int i = 0; i < sips.Length; i++) { if (sips[i].Id == principal) seesPrincipal = true; if (sips[i].Id == Sip.Id) seesItself = true; }
        r.Say("listed " + sips.Length.ToString() + " SIPs through #" + principal.ToString() + "'s endpoint");
        r.Expect(sips.Length == 2 && seesPrincipal && seesItself, "the list is not the principal and its child");
        r.Expect(!Processes.Kill(principal), "killed the SIP whose endpoint it holds");
        r.Expect(!Processes.Kill(Sip.Id), "killed itself");
        bool started = Processes.TryStart("hostileauthority", "idle", out int grandchild, out string error);
        r.Expect(started, "could not start through the endpoint: " + error);
        if (started)
        {
            r.Expect(Processes.Kill(grandchild), "could not kill what it started through the endpoint");
            r.Expect(Processes.Wait(grandchild, 5000, out int code) == SipOutcome.Failed, "its killed SIP is not seen failed");
        }
        int others = 0;
        for (int id = 1; id <= 64; id++)
        {
            if (id == Sip.Id || id == principal || id == grandchild) continue;
            if (Processes.Kill(id)) { others++; r.Expect(false, "killed SIP " + id.ToString()); }
        }
        r.Say("killed " + others.ToString() + " other SIPs");
    }
}

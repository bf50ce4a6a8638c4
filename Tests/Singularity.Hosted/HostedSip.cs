using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;

namespace Singularity.Hosted
{
    /// <summary>
    /// One SIP running on .NET (hosted mode): its Main on a thread of its own, with its own name,
    /// id, arguments and kernel log (what Debug writes, and what the console client writes while
    /// no console service runs), and console input a test can feed. The threads it starts
    /// (Singularity.Threading.Thread) belong to it too. Channels and names are the hosted
    /// runtime's, shared by every hosted SIP of the process, so SIPs started here talk to each
    /// other as they would on the kernel.
    /// </summary>
    public sealed class HostedSip
    {
        private static int s_nextId = 1;
        private static readonly AsyncLocal<HostedSip> s_current = new AsyncLocal<HostedSip>();
        private static readonly HostedSip s_outside = new HostedSip("test", "", 0);

        private readonly StringBuilder _log = new StringBuilder();
        private readonly Queue<string> _input = new Queue<string>();
        private bool _inputEnded;
        private Thread _main;
        private int _exitCode;
        private Exception _failure;

        private HostedSip(string name, string arguments, int id) { Name = name; Arguments = arguments; Id = id; }

        /// <summary>The SIP whose code is running on this thread (code outside any hosted SIP: a SIP named "test", id 0).</summary>
        public static HostedSip Current => s_current.Value ?? s_outside;

        public string Name { get; }
        public string Arguments { get; }
        public int Id { get; }
        /// <summary>The heap quota its manifest asks for ([SipManifest(HeapQuotaMiB = N)]), in bytes; 0 when it names none.</summary>
        public ulong HeapQuota { get; private set; }

        /// <summary>Everything the SIP wrote to the kernel log so far (Debug.Write, the console client without a console service).</summary>
        public string Output { get { lock (_log) return _log.ToString(); } }

        /// <summary>How Main ended: its return value, the code given to Sip.Exit, or -1 when it threw (see <see cref="Failure"/>).</summary>
        public int ExitCode => _exitCode;

        /// <summary>The exception Main ended with, if it ended with one (a SIP on the kernel fails with it).</summary>
        public Exception Failure => _failure;

        /// <summary>
        /// Starts <paramref name="main"/> as SIP <paramref name="name"/> with <paramref name="arguments"/>
        /// (Sip.Arguments). The heap quota comes from the [SipManifest] naming <paramref name="name"/>
        /// in the assembly that defines Main. Before Main runs, the start-up endpoints are wired as
        /// the kernel wires them from the manifest: each path of <paramref name="exports"/> is
        /// registered (ServiceListener.TryOpen takes its listener) and each of
        /// <paramref name="imports"/> bound (EndpointHandle.TryTakeStartup takes the channel). When
        /// both are null and that assembly holds one SIP only (one [SipManifest]), its [Exports] and
        /// [Imports] are used. A path that cannot be wired is InvalidOperationException, and Main
        /// does not run (the kernel does not start such a SIP). Returns once Main has started;
        /// <see cref="Wait"/> waits for its end.
        /// </summary>
        public static HostedSip Start(string name, Func<int> main, string arguments = "",
                                      IEnumerable<string> exports = null, IEnumerable<string> imports = null)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("a hosted SIP needs a name", nameof(name));
            if (main == null) throw new ArgumentNullException(nameof(main));
            var sip = new HostedSip(name, arguments ?? "", Interlocked.Increment(ref s_nextId));
            var assembly = main.Method.DeclaringType.Assembly;
            var manifests = assembly.GetCustomAttributes(typeof(SipManifestAttribute), false);
            foreach (object a in manifests)
                if (a is SipManifestAttribute m && m.Name == name) sip.HeapQuota = (ulong)m.HeapQuotaMiB * 1024 * 1024;
            if (exports == null && imports == null && manifests.Length == 1)
            {
                var ex = new List<string>();
                foreach (object a in assembly.GetCustomAttributes(typeof(ExportsAttribute), false)) ex.Add(((ExportsAttribute)a).Path);
                var im = new List<string>();
                foreach (object a in assembly.GetCustomAttributes(typeof(ImportsAttribute), false)) im.Add(((ImportsAttribute)a).Path);
                exports = ex; imports = im;
            }
            var wired = new ManualResetEventSlim(false);
            string failure = null;
            sip._main = new Thread(() =>
            {
                s_current.Value = sip;
                Singularity.Channels.HostedStartup.Begin();
                foreach (string path in exports ?? Array.Empty<string>())
                    if (failure == null && !Singularity.Channels.HostedStartup.Export(path)) failure = "cannot export " + path + ": the name is taken";
                foreach (string path in imports ?? Array.Empty<string>())
                    if (failure == null && !Singularity.Channels.HostedStartup.Import(path)) failure = "cannot import " + path + ": no service has registered it";
                wired.Set();
                if (failure != null) { sip._exitCode = -1; return; }
                try { sip._exitCode = main(); }
                catch (SipExit exit) { sip._exitCode = exit.Code; }
                catch (Exception e) { sip._exitCode = -1; sip._failure = e; sip.Log("sip " + name + "#" + sip.Id + " failed: " + e.GetType().Name + ": " + e.Message + "\n"); }
            }) { IsBackground = true, Name = name + "#" + sip.Id };
            sip._main.Start();
            wired.Wait();
            if (failure != null) throw new InvalidOperationException("hosted SIP " + name + " not started: " + failure);
            return sip;
        }

        /// <summary>Runs Main to its end (or <paramref name="timeoutMs"/>) and returns the SIP.</summary>
        public static HostedSip Run(string name, Func<int> main, string arguments = "", int timeoutMs = 10_000,
                                    IEnumerable<string> exports = null, IEnumerable<string> imports = null)
        {
            HostedSip sip = Start(name, main, arguments, exports, imports);
            if (!sip.Wait(timeoutMs)) throw new TimeoutException("hosted SIP " + name + " did not end within " + timeoutMs + " ms; its log:\n" + sip.Output);
            return sip;
        }

        /// <summary>Waits until Main has returned; false when <paramref name="timeoutMs"/> passed first.</summary>
        public bool Wait(int timeoutMs = -1) => _main.Join(timeoutMs);

        /// <summary>Gives the SIP a line of console input (ConsoleInput.ReadLine returns it).</summary>
        public void Type(string line)
        {
            lock (_input) { _input.Enqueue(line); Monitor.PulseAll(_input); }
        }

        /// <summary>Ends the console input: ReadLine returns null once the typed lines are read.</summary>
        public void EndInput()
        {
            lock (_input) { _inputEnded = true; Monitor.PulseAll(_input); }
        }

        internal string ReadLine()
        {
            lock (_input)
            {
                while (_input.Count == 0 && !_inputEnded) Monitor.Wait(_input);
                return _input.Count > 0 ? _input.Dequeue() : null;
            }
        }

        internal void Log(string text)
        {
            lock (_log) _log.Append(text);
        }

        /// <summary>Sip.Exit: unwinds the SIP's Main.</summary>
        internal sealed class SipExit : Exception
        {
            public SipExit(int code) : base("Sip.Exit(" + code + ")") { Code = code; }
            public int Code { get; }
        }
    }
}

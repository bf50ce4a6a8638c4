using Singularity.Channels;
using Singularity.Contracts;

namespace Singularity
{
    /// <summary>
    /// Text output through the console service (`/service/console`, SIPs/Services/Console), which
    /// owns the serial line for SIPs: each Write goes to it as one ConsoleContract Write and is
    /// written whole, so lines from different SIPs never interleave. While no console service runs,
    /// output goes to the kernel log instead; after the service restarts the next Write binds again.
    /// SIP code has no mutable statics (SING0009), so a SIP makes one Console in Main and passes it
    /// along; its threads may share it (writes are serialised). Input (ReadLine) is the runtime's
    /// ConsoleInput, a granted kernel call, merged with lines typed at the keyboard (LineInput.cs).
    /// </summary>
    public sealed class Console
    {
        /// <summary>The name the console service registers.</summary>
        public const string ServiceName = "/service/console";

        private readonly object _gate = new object();
        private TRef<ConsoleContract.Imp> _service;    // null while not bound

        /// <summary>Writes the text and a newline as one piece.</summary>
        public void WriteLine(string text) => Write((text ?? "") + "\n");

        /// <summary>Writes the text (non-ASCII characters as '?'); null or empty writes nothing.</summary>
        public void Write(string text)
        {
            if (text == null || text.Length == 0) return;
            lock (_gate)
            {
                if (_service == null)
                {
                    ConsoleContract.Bind(ServiceName, out ConsoleContract.Imp bound);
                    if (bound != null) _service = new TRef<ConsoleContract.Imp>(bound);
                }
                if (_service != null && Send(text)) return;
                Debug.Write(text);
            }
        }

        private LineInput _input;                       // started by the first ReadLine

        /// <summary>
        /// Reads a line typed on the serial line (runtime ConsoleInput) or at the keyboard (the
        /// console service's /service/console-lines), whichever is finished first (LineInput.cs):
        /// null unless the system manifest grants this SIP `console-input` and no other SIP owns the input.
        /// </summary>
        public string ReadLine()
        {
            lock (_gate)
            {
                if (_input == null) _input = LineInput.Start();
            }
            return _input.ReadLine();
        }

        /// <summary>Closes the channel to the console service (a later Write binds again).</summary>
        public void Close()
        {
            lock (_gate)
            {
                if (_service == null) return;
                _service.Acquire().Close();
                _service = null;
            }
        }

        // Sends one Write and waits for its Ack. False when the service has gone away: the channel is
        // dropped (the next Write binds again) and the caller writes to the kernel log. (A service that
        // died after writing the text but before its Ack makes that one text appear twice.)
        private bool Send(string text)
        {
            var bytes = new byte[text.Length];
            for (int i = 0; i < text.Length; i++) bytes[i] = text[i] < 128 ? (byte)text[i] : (byte)'?';
            ExBuffer buffer = ExBuffer.Allocate(bytes.Length);
            buffer.CopyFrom(bytes, 0);
            ConsoleContract.Imp service = _service.Acquire();
            service.SendWrite(buffer);
            if (service.RecvAck() == ReceiveResult.Message)
            {
                _service.Release(service);
                return true;
            }
            service.Close();
            _service = null;
            return false;
        }
    }
}

using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Threading;

namespace Singularity
{
    /// <summary>
    /// The lines a SIP reads (Console.ReadLine), from two sources at once: the serial line (the
    /// runtime's ConsoleInput, for a SIP granted `console-input`) and the keyboard (lines the console
    /// service edits from the keyboard driver's keys, /service/console-lines, ConsoleLinesContract).
    /// A thread per source, started by the first ReadLine, queues complete lines; ReadLine takes
    /// them in the order they were finished. Without the serial input (no grant, or another SIP owns
    /// it) ReadLine returns null, as before: the keyboard is read only by the SIP that owns the input.
    /// </summary>
    internal sealed class LineInput
    {
        private readonly object _gate = new object();
        private readonly System.Collections.Generic.Queue<string> _lines = new System.Collections.Generic.Queue<string>();
        private readonly Event _finished = new Event();
        private bool _serialRefused;

        public static LineInput Start()
        {
            var input = new LineInput();
            Thread.Start(() => input.ReadSerial());
            Thread.Start(() => input.ReadKeyboard());
            return input;
        }

        /// <summary>The next line, from either source; null once the serial input is refused.</summary>
        public string ReadLine()
        {
            while (true)
            {
                lock (_gate)
                {
                    if (_lines.Count > 0) return _lines.Dequeue();
                    if (_serialRefused) return null;
                }
                _finished.Wait();
            }
        }

        private void Add(string line)
        {
            lock (_gate)
            {
                if (line == null) _serialRefused = true;
                else _lines.Enqueue(line);
            }
            _finished.Set();
        }

        private void ReadSerial()
        {
            while (true)
            {
                string line = ConsoleInput.ReadLine();
                Add(line);
                if (line == null) return;
            }
        }

        // Binds the console service's lines (again after it restarts; waiting while it is not there).
        private void ReadKeyboard()
        {
            int wait = 50;
            while (true)
            {
                lock (_gate) { if (_serialRefused) return; }
                ConsoleLinesContract.Bind("/service/console-lines", out ConsoleLinesContract.Imp lines);
                if (lines == null)
                {
                    Thread.Sleep(wait);
                    if (wait < 1000) wait *= 2;
                    continue;
                }
                wait = 50;
                try
                {
                    while (lines.RecvLine(out int length, out ExBuffer text) == ReceiveResult.Message)
                    {
                        if (length < 0 || length > text.Length) length = 0;     // a service that lies about the length gets an empty line
                        var bytes = new byte[length];
                        if (length > 0) text.CopyTo(bytes, 0);
                        text.Free();
                        var typed = new System.Text.StringBuilder();
                        for (int i = 0; i < length; i++) typed.Append(bytes[i] >= 32 && bytes[i] < 127 ? (char)bytes[i] : '?');
                        Add(typed.ToString());
                    }
                }
                finally { lines.Close(); }
            }
        }
    }
}

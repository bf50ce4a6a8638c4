// Compiled into the SIP runtime and, unchanged, into the hosted runtime (Contracts/Singularity.Channels.Hosted).
#nullable disable
using System;

namespace Singularity.Channels
{
    /// <summary>
    /// A cell that owns one tracked value: the only legal way to keep an endpoint in a field of
    /// a garbage-collected object. Acquire moves the value out; Release puts it back.
    /// </summary>
    public sealed class TRef<T> where T : class
    {
        private T _value;

        public TRef([Claims] T value)
        {
            if (value == null) throw new ArgumentNullException("value");
            _value = value;
        }

        public bool IsEmpty => _value == null;

        /// <summary>Takes the value out; the cell is empty until Release.</summary>
        public T Acquire()
        {
            T v = _value;
            if (v == null) throw new InvalidOperationException("TRef is empty: the value was acquired and not released");
            _value = null;
            return v;
        }

        /// <summary>Puts a value back into the empty cell.</summary>
        public void Release([Claims] T value)
        {
            if (value == null) throw new ArgumentNullException("value");
            if (_value != null) throw new InvalidOperationException("TRef is full: release without acquire");
            _value = value;
        }
    }
}

// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
using System;

namespace Singularity.Channels
{
    /// <summary>
    /// A cell that owns one tracked value: the only legal way to keep an endpoint in a field of
    /// a garbage-collected object. Acquire moves the value out; Release puts it back.
    /// </summary>
    /// <safety>A sealed cell of one reference, guarded by a private lock so that two threads never both
    /// acquire the value (linearity holds under races). T is a class: no runtime memory is involved.</safety>
    public sealed class TRef<T> where T : class
    {
        private T _value;
        private readonly object _gate = new object();   // one Acquire or Release at a time: two threads never both get the value

        /// <safety>Null is ArgumentNullException; stores the reference.</safety>
        public TRef([Claims] T value)
        {
            if (value == null) throw new ArgumentNullException("value");
            _value = value;
        }

        /// <safety>Reads the reference.</safety>
        public bool IsEmpty => _value == null;

        /// <summary>Takes the value out; the cell is empty until Release.</summary>
        /// <safety>Under the lock: empty is InvalidOperationException, else the value moves out.</safety>
        public T Acquire()
        {
            lock (_gate)
            {
                T v = _value;
                if (v == null) throw new InvalidOperationException("TRef is empty: the value was acquired and not released");
                _value = null;
                return v;
            }
        }

        /// <summary>Puts a value back into the empty cell.</summary>
        /// <safety>Null is ArgumentNullException; under the lock: full is InvalidOperationException, else the value moves in.</safety>
        public void Release([Claims] T value)
        {
            if (value == null) throw new ArgumentNullException("value");
            lock (_gate)
            {
                if (_value != null) throw new InvalidOperationException("TRef is full: release without acquire");
                _value = value;
            }
        }
    }
}

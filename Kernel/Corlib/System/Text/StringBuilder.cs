namespace System.Text
{
    /// <summary>A string built piece by piece in a growable character buffer.</summary>
    /// <safety>Safe C# over a managed char array: every write is at an index below the length it
    /// checks, growth uses checked arithmetic, and ToString copies exactly the used length into a new
    /// string of that length.</safety>
    /// <allmembers>Appends into a managed array that grows by doubling (checked arithmetic), or copies its used
    /// part into a new string.</allmembers>
    public sealed class StringBuilder
    {
        private char[] _chars;
        private int _length;

        public StringBuilder() { _chars = new char[16]; }

        public StringBuilder(int capacity)
        {
            if (capacity < 0) throw new ArgumentOutOfRangeException("capacity");
            _chars = new char[capacity < 16 ? 16 : capacity];
        }

        public StringBuilder(string value) : this() { Append(value); }

        public int Length
        {
            get => _length;
            set
            {
                if (value < 0 || value > _length) throw new ArgumentOutOfRangeException("value");
                _length = value;
            }
        }

        public char this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_length) throw new IndexOutOfRangeException();
                return _chars[index];
            }
            set
            {
                if ((uint)index >= (uint)_length) throw new IndexOutOfRangeException();
                _chars[index] = value;
            }
        }

        public StringBuilder Append(char c)
        {
            Reserve(1);
            _chars[_length++] = c;
            return this;
        }

        public StringBuilder Append(char c, int repeat)
        {
            if (repeat < 0) throw new ArgumentOutOfRangeException("repeat");
            Reserve(repeat);
            for (int i = 0; i < repeat; i++) _chars[_length++] = c;
            return this;
        }

        public StringBuilder Append(string s)
        {
            if (s == null) return this;
            Reserve(s.Length);
            for (int i = 0; i < s.Length; i++) _chars[_length++] = s[i];
            return this;
        }

        /// <safety>Reserves room with checked arithmetic, then copies the span's characters through its checked
        /// indexer into the managed buffer.</safety>
        public StringBuilder Append(ReadOnlySpan<char> value)
        {
            Reserve(value.Length);
            value.CopyTo(new Span<char>(_chars, _length, value.Length));
            _length += value.Length;
            return this;
        }

        public StringBuilder Append(int value) => Append(value.ToString());
        public StringBuilder Append(long value) => Append(value.ToString());
        public StringBuilder Append(ulong value) => Append(value.ToString());
        public StringBuilder Append(bool value) => Append(value ? "True" : "False");
        public StringBuilder Append(object value) => value == null ? this : Append(value.ToString());

        public StringBuilder AppendLine() => Append('\n');
        public StringBuilder AppendLine(string s) => Append(s).Append('\n');

        public StringBuilder Clear()
        {
            _length = 0;
            return this;
        }

        /// <unsafe>Writes characters 0.._length-1 into a string just allocated with exactly _length characters.</unsafe>
        public override string ToString()
        {
            string s = string.FastAllocate(_length);
            unsafe
            {
                fixed (char* d = s)
                    for (int i = 0; i < _length; i++) d[i] = _chars[i];
            }
            return s;
        }

        private void Reserve(int more)
        {
            int needed = checked(_length + more);
            if (needed <= _chars.Length) return;
            int capacity = checked(_chars.Length * 2);
            if (capacity < needed) capacity = needed;
            var bigger = new char[capacity];
            for (int i = 0; i < _length; i++) bigger[i] = _chars[i];
            _chars = bigger;
        }
    }
}

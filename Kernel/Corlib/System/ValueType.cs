namespace System
{
    /// <safety>The base of value types, with no state. Its constructor is internal: only the
    /// runtime's own types derive from it (C# forbids it, and the verifier's type checks treat a
    /// struct as a struct).</safety>
    public abstract class ValueType
    {
        internal ValueType() { }
    }

    /// <safety>The base of enums, with no state; its constructor is internal.</safety>
    public abstract class Enum : ValueType
    {
        internal Enum() { }
    }

    /// <safety>A value and a flag, both read-only after construction; boxing and unboxing it are
    /// refused at run time by the core library (NotSupportedException) until the layout is known.</safety>
    public struct Nullable<T> where T : struct
    {
        // Field names and order are what ilc's boxing and unboxing helpers expect.
        private readonly bool hasValue;
        internal T value;

        /// <safety>Stores the value.</safety>
        public Nullable(T value)
        {
            this.value = value;
            hasValue = true;
        }

        /// <safety>Returns the flag.</safety>
        public readonly bool HasValue => hasValue;

        /// <safety>Returns the value, or throws InvalidOperationException when there is none.</safety>
        public readonly T Value
        {
            get
            {
                if (!hasValue)
                    throw new InvalidOperationException("Nullable object must have a value.");
                return value;
            }
        }

        /// <safety>Returns the value field (default when there is none).</safety>
        public readonly T GetValueOrDefault() => value;

        /// <safety>Wraps a value.</safety>
        public static implicit operator T?(T value) => new T?(value);

        /// <safety>Value, with its check.</safety>
        public static explicit operator T(T? value) => value.Value;
    }
}

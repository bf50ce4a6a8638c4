namespace System
{
    /// <safety>Pure integer functions; checked where .NET checks (Abs of the minimum value is OverflowException).</safety>
    /// <allmembers>Compares or negates its arguments; no memory is touched.</allmembers>
    public static class Math
    {
        public static int Min(int a, int b) => a < b ? a : b;
        public static int Max(int a, int b) => a > b ? a : b;
        public static long Min(long a, long b) => a < b ? a : b;
        public static long Max(long a, long b) => a > b ? a : b;
        public static ulong Min(ulong a, ulong b) => a < b ? a : b;
        public static ulong Max(ulong a, ulong b) => a > b ? a : b;
        public static int Abs(int a)
        {
            if (a == int.MinValue) throw new OverflowException("Negating the minimum value of a twos complement number is invalid.");
            return a < 0 ? -a : a;
        }

        public static long Abs(long a)
        {
            if (a == long.MinValue) throw new OverflowException("Negating the minimum value of a twos complement number is invalid.");
            return a < 0 ? -a : a;
        }

        // Checked floating-point conversions; ilc calls these by name for conv.ovf from double.
        private static int ConvertToInt32Checked(double v)
        {
            if (!(v > -2147483649.0 && v < 2147483648.0)) throw new OverflowException();
            return (int)v;
        }

        private static uint ConvertToUInt32Checked(double v)
        {
            if (!(v > -1.0 && v < 4294967296.0)) throw new OverflowException();
            return (uint)v;
        }

        private static long ConvertToInt64Checked(double v)
        {
            if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) throw new OverflowException();
            return (long)v;
        }

        private static ulong ConvertToUInt64Checked(double v)
        {
            if (!(v > -1.0 && v < 18446744073709551616.0)) throw new OverflowException();
            return (ulong)v;
        }
    }
}

namespace System.Runtime.CompilerServices
{
    /// <safety>A static class; of its members only InitializeArray is allowed to SIP code (SV0110 for the others).</safety>
    public static class RuntimeHelpers
    {
        // ilc expands this intrinsic into a copy of the field's RVA data.
        /// <safety>ilc expands it only for the pattern the C# compiler emits (a new array of a length known at
        /// compile time, then the field's token): it copies exactly the array's size, from the field's data,
        /// which must be at least that long (else no expansion); the verifier allows only fields of the
        /// SIP's own constant data (SV0108). Any other call runs this body, which throws NotSupportedException.</safety>
        [Intrinsic]
        public static void InitializeArray(Array array, RuntimeFieldHandle fldHandle)
        {
            throw new NotSupportedException("RuntimeHelpers.InitializeArray was not expanded by the compiler");
        }

        // MethodTable pointer (8) + length (4): where the characters of a string begin.
        internal static int OffsetToStringData => 12;

        [Intrinsic]
        public static bool IsReferenceOrContainsReferences<T>() => true;
    }
}

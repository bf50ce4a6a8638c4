namespace System.Runtime.CompilerServices
{
    public static class RuntimeHelpers
    {
        // ilc expands this intrinsic into a copy of the field's RVA data.
        [Intrinsic]
        public static void InitializeArray(Array array, RuntimeFieldHandle fldHandle)
        {
            throw new NotSupportedException("RuntimeHelpers.InitializeArray was not expanded by the compiler");
        }

        // MethodTable pointer (8) + length (4): where the characters of a string begin.
        public static int OffsetToStringData => 12;

        [Intrinsic]
        public static bool IsReferenceOrContainsReferences<T>() => true;
    }
}

namespace Internal.Runtime.CompilerHelpers
{
    /// <summary>ilc routes failed checks in generated code here, by method name.</summary>
    internal static class ThrowHelpers
    {
        public static void ThrowIndexOutOfRangeException() => throw new System.IndexOutOfRangeException();
        public static void ThrowNullReferenceException() => throw new System.NullReferenceException();
        public static void ThrowDivideByZeroException() => throw new System.DivideByZeroException();
        public static void ThrowOverflowException() => throw new System.OverflowException();
        public static void ThrowArrayTypeMismatchException() => throw new System.ArrayTypeMismatchException();
        public static void ThrowInvalidCastException() => throw new System.InvalidCastException();
        public static void ThrowArgumentOutOfRangeException() => throw new System.ArgumentOutOfRangeException();
        public static void ThrowArgumentException() => throw new System.ArgumentException();
        public static void ThrowPlatformNotSupportedException() => throw new System.PlatformNotSupportedException();
        public static void ThrowNotImplementedException() => throw new System.NotImplementedException();
        public static void ThrowFeatureBodyRemoved() => throw new System.NotSupportedException("This feature was removed by the compiler.");
        public static void ThrowTypeLoadException(int id, string className, string typeName) => throw new System.TypeLoadException(typeName);
        public static void ThrowTypeLoadExceptionWithArgument(int id, string className, string typeName, string messageArg) => throw new System.TypeLoadException(typeName);
        public static void ThrowMissingMethodException(int id, string methodName) => throw new System.MissingMemberException(methodName);
        public static void ThrowMissingFieldException(int id, string fieldName) => throw new System.MissingMemberException(fieldName);
        public static void ThrowFileNotFoundException(int id, string fileName) => throw new System.InvalidOperationException("file not found: " + fileName);
        public static void ThrowInvalidProgramException(int id) => throw new System.InvalidProgramException();
        public static void ThrowInvalidProgramExceptionWithArgument(int id, string methodName) => throw new System.InvalidProgramException(methodName);
        public static void ThrowBadImageFormatException(int id) => throw new System.BadImageFormatException();
        public static void ThrowMarshalDirectiveException(int id) => throw new System.NotSupportedException("marshalling is not supported");
        public static void ThrowAmbiguousMatchException(int id) => throw new System.InvalidOperationException("ambiguous match");
    }

    /// <summary>ilc requires this type to exist; module start-up is done by the kernel or SIP runtime.</summary>
    internal static class StartupCodeHelpers
    {
    }
}

namespace System
{
    public class Exception
    {
        private readonly string _message;
        private readonly Exception _innerException;
        // Return addresses from the throw site up, recorded by the dispatcher's first pass
        // (kept by `throw;`, replaced by `throw e;`).
        internal ulong[] _stackTrace;

        public Exception() { }
        public Exception(string message) { _message = message; }
        public Exception(string message, Exception innerException) { _message = message; _innerException = innerException; }

        public virtual string Message => _message ?? DefaultMessage;
        public Exception InnerException => _innerException;

        /// <summary>The type's name for logs; the runtime has no reflection to ask.</summary>
        public virtual string TypeName => "System.Exception";

        protected virtual string DefaultMessage => "Exception of type '" + TypeName + "' was thrown.";

        public override string ToString() => TypeName + ": " + Message;
    }

    public class SystemException : Exception
    {
        public SystemException() { }
        public SystemException(string message) : base(message) { }
        public SystemException(string message, Exception inner) : base(message, inner) { }
        public override string TypeName => "System.SystemException";
    }

    public class ArgumentException : SystemException
    {
        private readonly string _paramName;
        public ArgumentException() { }
        public ArgumentException(string message) : base(message) { }
        public ArgumentException(string message, string paramName) : base(message) { _paramName = paramName; }
        public string ParamName => _paramName;
        public override string TypeName => "System.ArgumentException";
        public override string Message => _paramName == null ? base.Message : base.Message + " (Parameter '" + _paramName + "')";
        protected override string DefaultMessage => "Value does not fall within the expected range.";
    }

    public class ArgumentNullException : ArgumentException
    {
        public ArgumentNullException() { }
        public ArgumentNullException(string paramName) : base("Value cannot be null.", paramName) { }
        public ArgumentNullException(string paramName, string message) : base(message, paramName) { }
        public override string TypeName => "System.ArgumentNullException";
    }

    public class ArgumentOutOfRangeException : ArgumentException
    {
        public ArgumentOutOfRangeException() { }
        public ArgumentOutOfRangeException(string paramName) : base("Specified argument was out of the range of valid values.", paramName) { }
        public ArgumentOutOfRangeException(string paramName, string message) : base(message, paramName) { }
        public override string TypeName => "System.ArgumentOutOfRangeException";
    }

    public class ArithmeticException : SystemException
    {
        public ArithmeticException() { }
        public ArithmeticException(string message) : base(message) { }
        public override string TypeName => "System.ArithmeticException";
    }

    public class DivideByZeroException : ArithmeticException
    {
        public DivideByZeroException() : base("Attempted to divide by zero.") { }
        public DivideByZeroException(string message) : base(message) { }
        public override string TypeName => "System.DivideByZeroException";
    }

    public class OverflowException : ArithmeticException
    {
        public OverflowException() : base("Arithmetic operation resulted in an overflow.") { }
        public OverflowException(string message) : base(message) { }
        public override string TypeName => "System.OverflowException";
    }

    public class NullReferenceException : SystemException
    {
        public NullReferenceException() : base("Object reference not set to an instance of an object.") { }
        public NullReferenceException(string message) : base(message) { }
        public override string TypeName => "System.NullReferenceException";
    }

    public class IndexOutOfRangeException : SystemException
    {
        public IndexOutOfRangeException() : base("Index was outside the bounds of the array.") { }
        public IndexOutOfRangeException(string message) : base(message) { }
        public override string TypeName => "System.IndexOutOfRangeException";
    }

    public class InvalidCastException : SystemException
    {
        public InvalidCastException() : base("Specified cast is not valid.") { }
        public InvalidCastException(string message) : base(message) { }
        public override string TypeName => "System.InvalidCastException";
    }

    public class ArrayTypeMismatchException : SystemException
    {
        public ArrayTypeMismatchException() : base("Attempted to access an element as a type incompatible with the array.") { }
        public override string TypeName => "System.ArrayTypeMismatchException";
    }

    public class InvalidOperationException : SystemException
    {
        public InvalidOperationException() { }
        public InvalidOperationException(string message) : base(message) { }
        public InvalidOperationException(string message, Exception inner) : base(message, inner) { }
        public override string TypeName => "System.InvalidOperationException";
    }

    public class ObjectDisposedException : InvalidOperationException
    {
        private readonly string _objectName;
        public ObjectDisposedException(string objectName) : base("Cannot access a disposed object: " + objectName) { _objectName = objectName; }
        public ObjectDisposedException(string objectName, string message) : base(message) { _objectName = objectName; }
        public string ObjectName => _objectName ?? "";
        public override string TypeName => "System.ObjectDisposedException";
    }

    public class OperationCanceledException : SystemException
    {
        public OperationCanceledException() : base("The operation was canceled.") { }
        public OperationCanceledException(string message) : base(message) { }
        public override string TypeName => "System.OperationCanceledException";
    }

    public class InsufficientExecutionStackException : SystemException
    {
        public InsufficientExecutionStackException() : base("Insufficient stack to continue executing the program safely.") { }
        public override string TypeName => "System.InsufficientExecutionStackException";
    }

    public class NotSupportedException : SystemException
    {
        public NotSupportedException() : base("Specified method is not supported.") { }
        public NotSupportedException(string message) : base(message) { }
        public override string TypeName => "System.NotSupportedException";
    }

    public class PlatformNotSupportedException : NotSupportedException
    {
        public PlatformNotSupportedException() : base("Operation is not supported on this platform.") { }
        public PlatformNotSupportedException(string message) : base(message) { }
        public override string TypeName => "System.PlatformNotSupportedException";
    }

    public class NotImplementedException : SystemException
    {
        public NotImplementedException() : base("The method or operation is not implemented.") { }
        public NotImplementedException(string message) : base(message) { }
        public override string TypeName => "System.NotImplementedException";
    }

    public class OutOfMemoryException : SystemException
    {
        public OutOfMemoryException() : base("Insufficient memory to continue the execution of the program.") { }
        public OutOfMemoryException(string message) : base(message) { }
        public override string TypeName => "System.OutOfMemoryException";
    }

    public class FormatException : SystemException
    {
        public FormatException() { }
        public FormatException(string message) : base(message) { }
        public override string TypeName => "System.FormatException";
    }

    public class TimeoutException : SystemException
    {
        public TimeoutException() { }
        public TimeoutException(string message) : base(message) { }
        public override string TypeName => "System.TimeoutException";
    }

    public class TypeLoadException : SystemException
    {
        public TypeLoadException() { }
        public TypeLoadException(string message) : base(message) { }
        public override string TypeName => "System.TypeLoadException";
    }

    public class MissingMemberException : SystemException
    {
        public MissingMemberException(string message) : base(message) { }
        public override string TypeName => "System.MissingMemberException";
    }

    public class BadImageFormatException : SystemException
    {
        public BadImageFormatException() { }
        public BadImageFormatException(string message) : base(message) { }
        public override string TypeName => "System.BadImageFormatException";
    }

    public class InvalidProgramException : SystemException
    {
        public InvalidProgramException() { }
        public InvalidProgramException(string message) : base(message) { }
        public override string TypeName => "System.InvalidProgramException";
    }
}

namespace System.Collections.Generic
{
    public class KeyNotFoundException : SystemException
    {
        public KeyNotFoundException() : base("The given key was not present in the dictionary.") { }
        public KeyNotFoundException(string message) : base(message) { }
        public override string TypeName => "System.Collections.Generic.KeyNotFoundException";
    }
}

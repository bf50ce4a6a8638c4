namespace System
{
    /// <safety>A message, an inner exception and the stack trace the dispatcher records (internal,
    /// an array of at most 32 return addresses it allocates itself). A SIP may derive from it and
    /// override Message and TypeName: the runtime calls those only to describe an unhandled
    /// exception, inside a try/catch, on the failing SIP's own thread.</safety>
    public class Exception
    {
        private readonly string _message;
        private readonly Exception _innerException;
        // Return addresses from the throw site up, recorded by the dispatcher's first pass
        // (kept by `throw;`, replaced by `throw e;`).
        internal ulong[] _stackTrace;

        /// <safety>Stores nothing.</safety>
        public Exception() { }
        /// <safety>Stores the message reference.</safety>
        public Exception(string message) { _message = message; }
        /// <safety>Stores the two references.</safety>
        public Exception(string message, Exception innerException) { _message = message; _innerException = innerException; }

        /// <safety>Returns the stored message or the default one (a concatenation of literals and TypeName).</safety>
        public virtual string Message => _message ?? DefaultMessage;
        /// <safety>Returns the stored reference.</safety>
        public Exception InnerException => _innerException;

        /// <summary>The type's name for logs; the runtime has no reflection to ask.</summary>
        /// <safety>Returns a literal; an override only changes the text of the SIP's own failure report.</safety>
        public virtual string TypeName => "System.Exception";

        /// <safety>A concatenation of literals and TypeName.</safety>
        protected virtual string DefaultMessage => "Exception of type '" + TypeName + "' was thrown.";

        /// <safety>A concatenation of TypeName and Message.</safety>
        public override string ToString() => TypeName + ": " + Message;
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class SystemException : Exception
    {
        public SystemException() { }
        public SystemException(string message) : base(message) { }
        public SystemException(string message, Exception inner) : base(message, inner) { }
        public override string TypeName => "System.SystemException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
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

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class ArgumentNullException : ArgumentException
    {
        public ArgumentNullException() { }
        public ArgumentNullException(string paramName) : base("Value cannot be null.", paramName) { }
        public ArgumentNullException(string paramName, string message) : base(message, paramName) { }
        public override string TypeName => "System.ArgumentNullException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class ArgumentOutOfRangeException : ArgumentException
    {
        public ArgumentOutOfRangeException() { }
        public ArgumentOutOfRangeException(string paramName) : base("Specified argument was out of the range of valid values.", paramName) { }
        public ArgumentOutOfRangeException(string paramName, string message) : base(message, paramName) { }
        public override string TypeName => "System.ArgumentOutOfRangeException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class ArithmeticException : SystemException
    {
        public ArithmeticException() { }
        public ArithmeticException(string message) : base(message) { }
        public override string TypeName => "System.ArithmeticException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class DivideByZeroException : ArithmeticException
    {
        public DivideByZeroException() : base("Attempted to divide by zero.") { }
        public DivideByZeroException(string message) : base(message) { }
        public override string TypeName => "System.DivideByZeroException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class OverflowException : ArithmeticException
    {
        public OverflowException() : base("Arithmetic operation resulted in an overflow.") { }
        public OverflowException(string message) : base(message) { }
        public override string TypeName => "System.OverflowException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class NullReferenceException : SystemException
    {
        public NullReferenceException() : base("Object reference not set to an instance of an object.") { }
        public NullReferenceException(string message) : base(message) { }
        public override string TypeName => "System.NullReferenceException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class IndexOutOfRangeException : SystemException
    {
        public IndexOutOfRangeException() : base("Index was outside the bounds of the array.") { }
        public IndexOutOfRangeException(string message) : base(message) { }
        public override string TypeName => "System.IndexOutOfRangeException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class InvalidCastException : SystemException
    {
        public InvalidCastException() : base("Specified cast is not valid.") { }
        public InvalidCastException(string message) : base(message) { }
        public override string TypeName => "System.InvalidCastException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class ArrayTypeMismatchException : SystemException
    {
        public ArrayTypeMismatchException() : base("Attempted to access an element as a type incompatible with the array.") { }
        public override string TypeName => "System.ArrayTypeMismatchException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class InvalidOperationException : SystemException
    {
        public InvalidOperationException() { }
        public InvalidOperationException(string message) : base(message) { }
        public InvalidOperationException(string message, Exception inner) : base(message, inner) { }
        public override string TypeName => "System.InvalidOperationException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class ObjectDisposedException : InvalidOperationException
    {
        private readonly string _objectName;
        public ObjectDisposedException(string objectName) : base("Cannot access a disposed object: " + objectName) { _objectName = objectName; }
        public ObjectDisposedException(string objectName, string message) : base(message) { _objectName = objectName; }
        public string ObjectName => _objectName ?? "";
        public override string TypeName => "System.ObjectDisposedException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class OperationCanceledException : SystemException
    {
        public OperationCanceledException() : base("The operation was canceled.") { }
        public OperationCanceledException(string message) : base(message) { }
        public override string TypeName => "System.OperationCanceledException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class InsufficientExecutionStackException : SystemException
    {
        public InsufficientExecutionStackException() : base("Insufficient stack to continue executing the program safely.") { }
        public override string TypeName => "System.InsufficientExecutionStackException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class NotSupportedException : SystemException
    {
        public NotSupportedException() : base("Specified method is not supported.") { }
        public NotSupportedException(string message) : base(message) { }
        public override string TypeName => "System.NotSupportedException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class PlatformNotSupportedException : NotSupportedException
    {
        public PlatformNotSupportedException() : base("Operation is not supported on this platform.") { }
        public PlatformNotSupportedException(string message) : base(message) { }
        public override string TypeName => "System.PlatformNotSupportedException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class NotImplementedException : SystemException
    {
        public NotImplementedException() : base("The method or operation is not implemented.") { }
        public NotImplementedException(string message) : base(message) { }
        public override string TypeName => "System.NotImplementedException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class OutOfMemoryException : SystemException
    {
        public OutOfMemoryException() : base("Insufficient memory to continue the execution of the program.") { }
        public OutOfMemoryException(string message) : base(message) { }
        public override string TypeName => "System.OutOfMemoryException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class FormatException : SystemException
    {
        public FormatException() { }
        public FormatException(string message) : base(message) { }
        public override string TypeName => "System.FormatException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class TimeoutException : SystemException
    {
        public TimeoutException() { }
        public TimeoutException(string message) : base(message) { }
        public override string TypeName => "System.TimeoutException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class TypeLoadException : SystemException
    {
        public TypeLoadException() { }
        public TypeLoadException(string message) : base(message) { }
        public override string TypeName => "System.TypeLoadException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class MissingMemberException : SystemException
    {
        public MissingMemberException(string message) : base(message) { }
        public override string TypeName => "System.MissingMemberException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class BadImageFormatException : SystemException
    {
        public BadImageFormatException() { }
        public BadImageFormatException(string message) : base(message) { }
        public override string TypeName => "System.BadImageFormatException";
    }

    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class InvalidProgramException : SystemException
    {
        public InvalidProgramException() { }
        public InvalidProgramException(string message) : base(message) { }
        public override string TypeName => "System.InvalidProgramException";
    }
}

namespace System.Collections.Generic
{
    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public class KeyNotFoundException : SystemException
    {
        public KeyNotFoundException() : base("The given key was not present in the dictionary.") { }
        public KeyNotFoundException(string message) : base(message) { }
        public override string TypeName => "System.Collections.Generic.KeyNotFoundException";
    }
}

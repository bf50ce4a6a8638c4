using System.Runtime;
using System.Runtime.CompilerServices;

namespace System
{
    /// <summary>What C#'s iterators need: the current thread's id (an iterator object is reused as its own
    /// enumerator only on the thread that made it).</summary>
    /// <safety>A static class with no state; the thread id comes from whoever links the library (kernel or SIP runtime).</safety>
    public static class Environment
    {
        /// <safety>Returns the id of the calling thread, as Monitor uses it.</safety>
        public static int CurrentManagedThreadId => CurrentThreadId();

        /// <unsafe>The kernel's or the SIP runtime's rt_current_thread_id (as Monitor's): no arguments, returns an int.</unsafe>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "rt_current_thread_id")]
        private static extern int CurrentThreadId();
    }
}

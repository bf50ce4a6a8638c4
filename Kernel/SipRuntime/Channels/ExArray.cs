// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
using System;
using System.Runtime.CompilerServices;
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// An array of unmanaged values in the exchange heap: a block viewed as T[]. Ownership
    /// works as for ExBuffer.
    /// </summary>
    /// <safety>An opaque block handle (internal field; <c>default</c> is the null array, refused by
    /// the kernel). T must hold no references: the verifier checks the <c>unmanaged</c> constraint,
    /// and every member that reads or writes elements checks it again (a compile-time constant for
    /// ilc), so even a wrongly admitted instantiation cannot turn block bytes into references.</safety>
    [Tracked]
    public readonly struct ExArray<T> : System.IDisposable where T : unmanaged
    {
        internal readonly ExBlock Block;

        internal ExArray(ExBlock block) { Block = block; }

        /// <safety>Refuses a count of 0 or less (ArgumentOutOfRangeException) and a byte size past
        /// int.MaxValue (checked multiplication: OverflowException), then allocates as ExBuffer does.</safety>
        public static ExArray<T> Allocate(int count)
        {
            CheckElementType();
            if (count <= 0) throw new ArgumentOutOfRangeException("count");
            return new ExArray<T>(ExBlock.Allocate(checked(count * Unsafe.SizeOf<T>())));
        }

        /// <safety>Compares the handle with 0.</safety>
        public bool IsNull => Block.IsNull;

        /// <safety>The kernel's length of the block divided by the element size; touches no memory.</safety>
        public int Length => Block.Length / Unsafe.SizeOf<T>();

        /// <safety>ExBlock.ReadElement/WriteElement: a registered access, element <paramref name="index"/>
        /// checked to lie wholly inside the block (64-bit arithmetic: IndexOutOfRangeException); the
        /// element type is checked for references first.</safety>
        public T this[int index]
        {
            get
            {
                CheckElementType();
                return Block.ReadElement<T>(index);
            }
            set
            {
                CheckElementType();
                Block.WriteElement<T>(index, value);
            }
        }

        /// <safety>As ExBuffer.Free.</safety>
        [Claims]
        public void Free() => Block.Free();

        /// <summary>Free, for <c>using</c>: the analyzer and the verifier count a using's end as the release.</summary>
        /// <safety>As Free.</safety>
        [Claims]
        public void Dispose() => Free();

        // Block bytes are plain data: a T with references would forge them.
        internal static void CheckElementType()
        {
            if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
                throw new InvalidOperationException("an exchange array's elements must be unmanaged values (no references)");
        }
    }
}

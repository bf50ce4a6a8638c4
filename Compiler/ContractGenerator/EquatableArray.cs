using System;
using System.Collections;
using System.Collections.Generic;

namespace Singularity.ContractGenerator
{
    /// <summary>
    /// An immutable array compared by contents, so that pipeline models made of records compare
    /// equal when nothing relevant changed and the incremental generator can skip later stages.
    /// </summary>
    internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IEnumerable<T>
        where T : IEquatable<T>
    {
        private readonly T[]? _items;

        public EquatableArray(T[] items) { _items = items; }

        public static EquatableArray<T> Empty => new EquatableArray<T>(Array.Empty<T>());

        public int Length => _items?.Length ?? 0;

        public T this[int index] => _items![index];

        public bool Equals(EquatableArray<T> other)
        {
            T[] a = _items ?? Array.Empty<T>(), b = other._items ?? Array.Empty<T>();
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++)
                if (!EqualityComparer<T>.Default.Equals(a[i], b[i])) return false;
            return true;
        }

        public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

        public override int GetHashCode()
        {
            int h = 17;
            foreach (T item in _items ?? Array.Empty<T>()) h = h * 31 + (item?.GetHashCode() ?? 0);
            return h;
        }

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    internal static class EquatableArray
    {
        public static EquatableArray<T> From<T>(List<T> list) where T : IEquatable<T> => new EquatableArray<T>(list.ToArray());
    }
}

using Fraud.Actors.Checkpoints;
using System.Buffers;
using System.Text;

namespace Fraud.Checkpoints.Log;

public static partial class AccountLog
{
    /// <summary>
    /// A set of accounts' UTF-8 ids, exactly compared: their bytes in one array, found through an open-addressing index.
    /// No object per id. Hashes are randomized per process (the set lives for one compaction).
    /// </summary>
    private sealed class KeySet
    {
        private byte[] _bytes;
        private int _used;
        private int[] _starts;
        private int[] _lengths;
        private int[] _hashes;
        private int[] _slots; // an id's index plus one; 0 is empty
        private int _count;

        public KeySet(int capacity)
        {
            capacity = Math.Max(16, capacity);
            _bytes = new byte[capacity * 16];
            _starts = new int[capacity];
            _lengths = new int[capacity];
            _hashes = new int[capacity];
            _slots = new int[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(capacity * 2))];
        }

        /// <summary>Empties the set, keeping its arrays.</summary>
        public void Clear()
        {
            Array.Clear(_slots);
            _count = 0;
            _used = 0;
        }

        /// <summary>Adds <paramref name="id"/>; false when it was already there.</summary>
        public bool Add(ReadOnlySpan<byte> id)
        {
            var hash = HashOf(id);
            var mask = _slots.Length - 1;
            var i = hash & mask;
            for (; _slots[i] != 0; i = (i + 1) & mask)
            {
                var k = _slots[i] - 1;
                if (_hashes[k] == hash && id.SequenceEqual(_bytes.AsSpan(_starts[k], _lengths[k])))
                {
                    return false;
                }
            }

            if (_count == _starts.Length)
            {
                Array.Resize(ref _starts, _count * 2);
                Array.Resize(ref _lengths, _count * 2);
                Array.Resize(ref _hashes, _count * 2);
            }

            if (_used + id.Length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + id.Length));
            }

            id.CopyTo(_bytes.AsSpan(_used));
            (_starts[_count], _lengths[_count], _hashes[_count]) = (_used, id.Length, hash);
            _used += id.Length;
            _slots[i] = ++_count;
            if (_count * 2 > _slots.Length)
            {
                Rehash(_slots.Length * 2);
            }

            return true;
        }

        private void Rehash(int size)
        {
            _slots = new int[size];
            var mask = size - 1;
            for (var k = 0; k < _count; k++)
            {
                var i = _hashes[k] & mask;
                while (_slots[i] != 0)
                {
                    i = (i + 1) & mask;
                }

                _slots[i] = k + 1;
            }
        }

        private static int HashOf(ReadOnlySpan<byte> id)
        {
            var hash = new HashCode();
            hash.AddBytes(id);
            return hash.ToHashCode() & int.MaxValue;
        }
    }
}

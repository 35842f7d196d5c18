using Fraud.Actors.Checkpoints;
using System.Buffers;
using System.Text;

namespace Fraud.Checkpoints.Log;

public static partial class AccountLog
{
    /// <summary>
    /// A write's chunks, each the start of a pooled array: give them back with <see cref="Dispose"/> once written (and
    /// not before: the store binds the arrays themselves, see <see cref="Segments"/>).
    /// </summary>
    public sealed class Chunks : IDisposable
    {
        private readonly List<ArraySegment<byte>> _segments = [];

        public IReadOnlyList<ArraySegment<byte>> Segments => _segments;

        public int Count => _segments.Count;

        public long Bytes => _segments.Sum(s => (long)s.Count);

        internal void Add(ReadOnlySpan<byte> chunk)
        {
            var array = ChunkPool.Rent(chunk.Length);
            chunk.CopyTo(array);
            _segments.Add(new ArraySegment<byte>(array, 0, chunk.Length));
        }

        public void Dispose()
        {
            foreach (var segment in _segments)
            {
                ChunkPool.Return(segment.Array!);
            }

            _segments.Clear();
        }
    }
}

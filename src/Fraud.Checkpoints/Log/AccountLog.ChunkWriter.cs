using Fraud.Actors.Checkpoints;
using System.Buffers;
using System.Text;

namespace Fraud.Checkpoints.Log;

public static partial class AccountLog
{
    /// <summary>Packs entries into chunks of at most <see cref="ChunkBytes"/> (an entry larger than that gets one of its own).</summary>
    private sealed class ChunkWriter
    {
        private Chunks _chunks = new();
        private readonly ArrayBufferWriter<byte> _buffer;

        /// <summary>A writer that assembles its chunks in the thread's scratch buffer: to be finished before the thread writes another.</summary>
        public ChunkWriter()
            : this(_scratch ??= new ArrayBufferWriter<byte>(ChunkBytes))
        {
        }

        /// <summary>A writer with a buffer of its own: for one that lives across awaits, which may resume on another thread.</summary>
        public ChunkWriter(ArrayBufferWriter<byte> buffer)
        {
            _buffer = buffer;
            _buffer.ResetWrittenCount();
            Start();
        }

        /// <summary>The chunks completed so far, when there are at least <paramref name="atLeast"/>; the writer goes on with new ones.</summary>
        public Chunks? TakeCompleted(int atLeast)
        {
            if (_chunks.Count < atLeast)
            {
                return null;
            }

            var completed = _chunks;
            _chunks = new Chunks();
            return completed;
        }

        public void Put(ReadOnlySpan<byte> account, ReadOnlySpan<byte> state, bool removal)
        {
            var stateBytes = removal ? 0 : state.Length;
            var size = VarIntSize(account.Length) + account.Length + VarIntSize(stateBytes + 1) + stateBytes;
            if (_buffer.WrittenCount > 1 && _buffer.WrittenCount + size > ChunkBytes)
            {
                _chunks.Add(_buffer.WrittenSpan);
                _buffer.ResetWrittenCount();
                Start();
            }

            var span = _buffer.GetSpan(size);
            var at = WriteVarInt(span, account.Length);
            account.CopyTo(span[at..]);
            at += account.Length;
            at += WriteVarInt(span[at..], removal ? 0 : stateBytes + 1);
            state[..stateBytes].CopyTo(span[at..]);
            _buffer.Advance(at + stateBytes);
        }

        public Chunks Finish()
        {
            if (_buffer.WrittenCount > 1)
            {
                _chunks.Add(_buffer.WrittenSpan);
            }

            if (_buffer.Capacity > 4 * ChunkBytes)
            {
                _scratch = null; // an entry far larger than a chunk grew it: do not keep that for the thread's life
            }

            return _chunks;
        }

        private void Start()
        {
            _buffer.GetSpan(1)[0] = Version;
            _buffer.Advance(1);
        }
    }
}

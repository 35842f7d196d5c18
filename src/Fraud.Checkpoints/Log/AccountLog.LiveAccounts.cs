using Fraud.Actors.Checkpoints;
using System.Buffers;
using System.Text;

namespace Fraud.Checkpoints.Log;

public static partial class AccountLog
{
    /// <summary>
    /// A partition's live accounts as the store gathers them for a claim (and writes them as a new base when the claim
    /// moves rows of the first layout into the log): the log's chunks read into pooled arrays and applied in order (each
    /// state replaces the account's earlier one, each removal drops it), each account a slice of them (its UTF-8 id and
    /// its state), none turned into a string or an array of its own. A compaction does not gather them: see
    /// <see cref="Compaction"/>.
    /// </summary>
    /// <remarks>
    /// Slices, not arrays and strings per account: those were most of what the GC promoted while a store read a log
    /// (docs/decisions/0004).
    /// </remarks>
    public sealed class LiveAccounts(int capacity) : IDisposable
    {
        private readonly Dictionary<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> _accounts = new(capacity, Utf8.Instance);
        private readonly List<byte[]> _arrays = [];

        public int Count => _accounts.Count;

        /// <summary>Accounts that came from rows of the first layout (see <see cref="Set"/>).</summary>
        public int LegacyRows { get; private set; }

        /// <summary>An array of at least <paramref name="length"/> bytes to read the next chunk into (kept until disposed).</summary>
        public byte[] Rent(int length)
        {
            var array = ChunkPool.Rent(length);
            _arrays.Add(array);
            return array;
        }

        /// <summary>Applies a chunk read into an array from <see cref="Rent"/>. Throws on a chunk this version cannot read.</summary>
        public void Apply(ReadOnlyMemory<byte> chunk) => Read(chunk, (account, state) =>
        {
            if (state is { } bytes)
            {
                _accounts[account] = bytes;
            }
            else
            {
                _accounts.Remove(account);
            }
        });

        /// <summary>An account from a row of the first layout.</summary>
        public void Set(string account, byte[] state)
        {
            _accounts[Encoding.UTF8.GetBytes(account)] = state;
            LegacyRows++;
        }

        /// <summary>The live accounts by id, each state an array of its own (what a claim hands its partition).</summary>
        public Dictionary<string, byte[]> ToDictionary() =>
            _accounts.ToDictionary(a => Encoding.UTF8.GetString(a.Key.Span), a => a.Value.ToArray());

        /// <summary>The live accounts as chunks (a new base for the log).</summary>
        public Chunks Write()
        {
            var writer = new ChunkWriter();
            foreach (var (account, state) in _accounts)
            {
                writer.Put(account.Span, state.Span, removal: false);
            }

            return writer.Finish();
        }

        public void Dispose()
        {
            foreach (var array in _arrays)
            {
                ChunkPool.Return(array);
            }

            _arrays.Clear();
            _accounts.Clear();
        }

        private sealed class Utf8 : IEqualityComparer<ReadOnlyMemory<byte>>
        {
            public static readonly Utf8 Instance = new();

            public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

            public int GetHashCode(ReadOnlyMemory<byte> obj)
            {
                var hash = new HashCode();
                hash.AddBytes(obj.Span);
                return hash.ToHashCode();
            }
        }
    }
}

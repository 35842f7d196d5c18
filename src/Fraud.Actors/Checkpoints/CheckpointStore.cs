using System.Collections.Concurrent;

namespace Fraud.Actors.Checkpoints;

/// <summary>Which input partition a checkpoint belongs to, within one consumer group.</summary>
public readonly record struct PartitionKey(string Group, string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition} ({Group})";
}

/// <summary>
/// A partition's durable state: the account states as of having applied every record before <see cref="NextOffset"/>
/// (-1: nothing saved yet), and the <see cref="Epoch"/> of the owner that claimed it.
/// </summary>
public sealed record PartitionCheckpoint(long Epoch, long NextOffset, IReadOnlyDictionary<string, byte[]> Accounts);

/// <summary>
/// What one save writes: the offset it reflects, the accounts that changed and those that were dropped. With
/// <see cref="Reset"/>, every account saved before is dropped first (the partition starts over).
/// </summary>
public sealed record CheckpointWrite(long NextOffset, ChangedAccounts Changed, IReadOnlyList<string> Removed, bool Reset = false)
{
    public CheckpointWrite(long NextOffset, IReadOnlyList<KeyValuePair<string, byte[]>> Changed, IReadOnlyList<string> Removed, bool Reset = false)
        : this(NextOffset, ChangedAccounts.Of(Changed), Removed, Reset)
    {
    }
}

/// <summary>One changed account as a store reads it: its id as UTF-8 and its state as <see cref="AccountStateCodec"/>'s bytes.</summary>
public delegate void ChangedAccountVisitor(ReadOnlySpan<byte> accountUtf8, ReadOnlySpan<byte> state);

/// <summary>
/// The accounts a save writes. A store reads them with <see cref="ForEach"/> (on any thread) <b>before the task its
/// <c>SaveAsync</c> returned completes</b>, and not after: a partition's accounts are a snapshot the partition fills
/// again at its next save, encoded as they are read, straight into the store's own form (no string and no array per
/// account). Read after the save completed, they throw.
/// </summary>
public abstract class ChangedAccounts
{
    public abstract int Count { get; }

    /// <summary>Calls <paramref name="visit"/> for each account; the spans are valid during that call only.</summary>
    public abstract void ForEach(ChangedAccountVisitor visit);

    /// <summary>Accounts already encoded (tests, tools, the bench).</summary>
    public static ChangedAccounts Of(IReadOnlyList<KeyValuePair<string, byte[]>> accounts) => new Encoded(accounts);

    /// <summary>An account id as UTF-8, in <paramref name="small"/> when it fits (ids are short).</summary>
    public static ReadOnlySpan<byte> Utf8Of(string account, Span<byte> small)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(account);
        var utf8 = length <= small.Length ? small[..length] : new byte[length];
        System.Text.Encoding.UTF8.GetBytes(account, utf8);
        return utf8;
    }

    private sealed class Encoded(IReadOnlyList<KeyValuePair<string, byte[]>> accounts) : ChangedAccounts
    {
        public override int Count => accounts.Count;

        public override void ForEach(ChangedAccountVisitor visit)
        {
            Span<byte> small = stackalloc byte[256];
            foreach (var (account, state) in accounts)
            {
                visit(Utf8Of(account, small), state);
            }
        }
    }
}

/// <summary>A save by an owner that is no longer the owner: another node claimed the partition since.</summary>
public sealed class FencedException(PartitionKey key, long epoch)
    : Exception($"checkpoint of {key} refused: epoch {epoch} is no longer the owner's");

/// <summary>
/// Where partitions' account states are kept durably. <see cref="ClaimAsync"/> makes the caller the owner (raising the
/// epoch, which fences every earlier owner) and returns what was saved; <see cref="SaveAsync"/> writes atomically, and
/// only while the caller's epoch is still the current one.
/// </summary>
public interface ICheckpointStore
{
    Task<PartitionCheckpoint> ClaimAsync(PartitionKey key);

    Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write);
}

/// <summary>A store in memory: for the embedded broker (which persists nothing either), the benchmarks and the specs.</summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly ConcurrentDictionary<PartitionKey, Entry> _entries = new();

    public Task<PartitionCheckpoint> ClaimAsync(PartitionKey key)
    {
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            entry.Epoch++;
            return Task.FromResult(new PartitionCheckpoint(entry.Epoch, entry.NextOffset, new Dictionary<string, byte[]>(entry.Accounts)));
        }
    }

    public Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write)
    {
        var entry = _entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            if (entry.Epoch != epoch)
            {
                return Task.FromException(new FencedException(key, epoch));
            }

            if (write.Reset)
            {
                entry.Accounts.Clear();
            }

            write.Changed.ForEach((account, state) => entry.Accounts[System.Text.Encoding.UTF8.GetString(account)] = state.ToArray());

            foreach (var account in write.Removed)
            {
                entry.Accounts.Remove(account);
            }

            entry.NextOffset = write.NextOffset;
        }

        return Task.CompletedTask;
    }

    private sealed class Entry
    {
        public long Epoch;
        public long NextOffset = -1;
        public readonly Dictionary<string, byte[]> Accounts = new();
    }
}

/// <summary>
/// The next offset of each partition whose account states are durable, shared by the partition actors (which write
/// it after each save) and the Kafka committer (which never commits past <see cref="CommitLimit"/>). Committing only
/// what the checkpoints cover is what lets a new owner resume from the committed offset with state that already
/// includes every record before it.
/// </summary>
public sealed class DurableOffsets
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), Progress> _offsets = new();

    /// <summary>A partition's new owner starts: nothing it has may be committed until it has restored its accounts.</summary>
    public void Begin(string topic, int partition) => _offsets[(topic, partition)] = new Progress();

    /// <summary>The accounts reflect every record before <paramref name="nextOffset"/>, durably (a save, or a restore).</summary>
    public void Set(string topic, int partition, long nextOffset)
    {
        var progress = _offsets.GetOrAdd((topic, partition), _ => new Progress());
        Volatile.Write(ref progress.Saved, nextOffset);
        if (Volatile.Read(ref progress.Scored) == long.MaxValue)
        {
            Volatile.Write(ref progress.Scored, nextOffset); // restored: what it scores from here on is ahead of it
        }
    }

    /// <summary>The partition's owner has scored every record before <paramref name="nextOffset"/> it was given.</summary>
    public void Scored(string topic, int partition, long nextOffset)
    {
        if (_offsets.TryGetValue((topic, partition), out var progress))
        {
            Volatile.Write(ref progress.Scored, nextOffset);
        }
    }

    /// <summary>The durable next offset; -1 when nothing is durable yet.</summary>
    public long Get(string topic, int partition) => _offsets.TryGetValue((topic, partition), out var progress) ? Volatile.Read(ref progress.Saved) : -1;

    /// <summary>
    /// How far the committer may commit: to the durable offset while the owner has scored records after it; without a
    /// limit once everything scored is durable, since what it acknowledges beyond that (dead letters) changed no state.
    /// Called after the acknowledged prefix was read: a record in it that was scored had raised the scored offset first.
    /// </summary>
    public long CommitLimit(string topic, int partition)
    {
        if (!_offsets.TryGetValue((topic, partition), out var progress))
        {
            return -1;
        }

        var scored = Volatile.Read(ref progress.Scored); // before the saved offset: both only grow
        var saved = Volatile.Read(ref progress.Saved);
        return scored <= saved ? long.MaxValue : saved;
    }

    private sealed class Progress
    {
        public long Saved = -1;

        // Max: not restored yet, so nothing is covered.
        public long Scored = long.MaxValue;
    }
}

using System.Collections.Concurrent;

namespace Fraud.Actors.Checkpoints;

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

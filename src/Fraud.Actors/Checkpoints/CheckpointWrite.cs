using System.Collections.Concurrent;

namespace Fraud.Actors.Checkpoints;

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

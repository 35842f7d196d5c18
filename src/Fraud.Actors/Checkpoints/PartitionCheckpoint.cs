using System.Collections.Concurrent;

namespace Fraud.Actors.Checkpoints;

/// <summary>
/// A partition's durable state: the account states as of having applied every record before <see cref="NextOffset"/>
/// (-1: nothing saved yet), and the <see cref="Epoch"/> of the owner that claimed it.
/// </summary>
public sealed record PartitionCheckpoint(long Epoch, long NextOffset, IReadOnlyDictionary<string, byte[]> Accounts);

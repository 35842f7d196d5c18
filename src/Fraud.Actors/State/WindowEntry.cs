namespace Fraud.Actors.State;

/// <summary>One transaction as an account's windows remember it (its texts other than country and currency are hashes, not shown).</summary>
public sealed record WindowEntry(DateTimeOffset Timestamp, decimal Amount, string? Country, string? Currency = null);

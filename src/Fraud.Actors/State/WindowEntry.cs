namespace Fraud.Actors.State;

/// <summary>One transaction as an account's windows remember it.</summary>
public sealed record WindowEntry(DateTimeOffset Timestamp, decimal Amount, string? Country);

namespace Fraud.Actors.State;

/// <summary>An account's history as the rules read it: its events, oldest first, and its newest event time (0: none).</summary>
internal readonly ref struct AccountView(ReadOnlySpan<AccountEvent> events, long newestTicks)
{
    public ReadOnlySpan<AccountEvent> Events { get; } = events;

    public long NewestTicks { get; } = newestTicks;
}

namespace Fraud.Actors.Rules;

/// <summary>
/// Where the account states of one owner keep their events and verdicts: blocks of three pools (see
/// <see cref="BlockPool{T}"/> for why), shared by all of the owner's accounts. A partition actor has one; so does a
/// replay; a state made without one has its own. Not thread-safe, like the states themselves: one owner at a time.
/// </summary>
public sealed class AccountArena
{
    internal readonly BlockPool<AccountEvent> Events = new();
    internal readonly BlockPool<ulong> Ids = new();
    internal readonly BlockPool<RememberedVerdicts.Remembered> Verdicts = new();

    /// <summary>
    /// Most of the arena's arrays are free blocks (and there is enough of it to matter): its owner dropped most of its
    /// accounts, and should move the rest into a new arena (<see cref="AccountState.MoveTo"/>) so that the arrays sized
    /// for its peak can go.
    /// </summary>
    public bool MostlyFree => Bytes > MinBytesToShrink && InUseBytes * 2 < Bytes;

    // Below this an arena is left as it is: moving its accounts would cost more than the memory it gives back.
    private const long MinBytesToShrink = 1 << 20;

    private long InUseBytes =>
        Events.InUse * System.Runtime.CompilerServices.Unsafe.SizeOf<AccountEvent>()
        + Ids.InUse * sizeof(ulong)
        + Verdicts.InUse * System.Runtime.CompilerServices.Unsafe.SizeOf<RememberedVerdicts.Remembered>();

    /// <summary>Bytes of the pools' arrays, in use or free, for the memory bench.</summary>
    public long Bytes =>
        Events.Capacity * System.Runtime.CompilerServices.Unsafe.SizeOf<AccountEvent>()
        + Ids.Capacity * sizeof(ulong)
        + Verdicts.Capacity * System.Runtime.CompilerServices.Unsafe.SizeOf<RememberedVerdicts.Remembered>();
}

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

    /// <summary>Bytes of the pools' arrays, in use or free, for the memory bench.</summary>
    public long Bytes =>
        Events.Capacity * System.Runtime.CompilerServices.Unsafe.SizeOf<AccountEvent>()
        + Ids.Capacity * sizeof(ulong)
        + Verdicts.Capacity * System.Runtime.CompilerServices.Unsafe.SizeOf<RememberedVerdicts.Remembered>();
}

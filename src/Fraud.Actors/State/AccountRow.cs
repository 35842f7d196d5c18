using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Fraud.Actors.State;

/// <summary>
/// One account in its arena: everything its rules and its owner keep of it, as plain values (block handles, counts,
/// times), so that an account costs no object at all and the arena's array of rows nothing to young collections.
/// </summary>
internal struct AccountRow
{
    internal EventWindow Events;
    internal RememberedVerdicts Verdicts;
    // UTC ticks, 0 for none (the year 1).
    internal long NewestTicks;
    // What the owner (a partition's table) keeps: when the account was last scored, whether it changed since the last
    // checkpoint, and its id (a block of the arena's keys, its length, its hash).
    internal long LastSeenTicks;
    internal int Key;
    internal int KeyLength; // in bytes; negative for an id kept as UTF-16 code units (see AccountArena.SetKey)
    internal int KeyHash;
    internal bool Changed;
}

namespace Fraud.Actors.Transactions;

/// <summary>
/// One string for each short value that recurs across records (a currency, a merchant category): the parser takes them
/// from here instead of making a new string per record. A fixed table indexed by the value's hash, each slot holding the
/// last value that hashed there: bounded whatever comes in, and a value that misses is simply made anew.
/// </summary>
/// <remarks>
/// Only for fields of few distinct values; an id-like field would keep replacing the slots and gain nothing. Slots are
/// written without a lock: a string reference is written whole, and two threads racing for a slot each get a correct
/// string.
/// </remarks>
internal sealed class RecurringText
{
    private const int MaxBytes = 24;
    private readonly string?[] _slots;

    public RecurringText(int slots = 256) => _slots = new string?[slots];

    /// <summary>The string of an unescaped UTF-8 value; shared with earlier records when it is short and ASCII.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes || !System.Text.Ascii.IsValid(utf8))
        {
            return System.Text.Encoding.UTF8.GetString(utf8);
        }

        var hash = 2166136261u;
        foreach (var b in utf8)
        {
            hash = (hash ^ b) * 16777619u;
        }

        ref var slot = ref _slots[hash % (uint)_slots.Length];
        if (slot is { } known && System.Text.Ascii.Equals(utf8, known))
        {
            return known;
        }

        var made = System.Text.Encoding.ASCII.GetString(utf8);
        slot = made;
        return made;
    }
}

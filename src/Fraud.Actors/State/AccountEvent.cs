using Fraud.Actors.Transactions;

namespace Fraud.Actors.State;

/// <summary>
/// One remembered transaction; a small struct so windows cost no allocation per entry and hold no reference. Its country
/// is the country's number (<see cref="Countries.Number"/>), its currency a packed ISO code (<see cref="CurrencyCodes"/>),
/// and the open-ended texts rules compare (category, target, device) are 32-bit hashes (<see cref="TextHash"/>), 0 when
/// missing or not kept: equality is all a rule asks of an earlier transaction's text. <see cref="Field1"/> and
/// <see cref="Field2"/> hash the input fields a pack reads by name of earlier transactions (the pack says which).
/// Adding them took the struct from 40 to 48 bytes.
/// </summary>
internal readonly record struct AccountEvent(long Ticks, decimal Amount, ushort CountryNumber, ushort CurrencyCode = 0,
    uint Category = 0, uint Target = 0, uint Device = 0, uint Field1 = 0, uint Field2 = 0)
{
    public AccountEvent(long ticks, decimal amount, string? country)
        : this(ticks, amount, Countries.Number(country))
    {
    }

    /// <summary>What the history keeps of <paramref name="tx"/>: time, amount, country, currency, and the texts <paramref name="kept"/> names.</summary>
    public static AccountEvent Of(Transaction tx, long ticks, ushort country, HistoryFields kept) => new(
        ticks,
        tx.Amount,
        country,
        CurrencyCodes.Pack(tx.Currency),
        (kept & HistoryFields.Category) != 0 ? TextHash.Of(tx.MerchantCategory) : 0,
        (kept & HistoryFields.Target) != 0 ? TextHash.Of(tx.Target) : 0,
        (kept & HistoryFields.Device) != 0 ? TextHash.Of(tx.DeviceId) : 0,
        (kept & HistoryFields.Field1) != 0 && tx.Fields is { Length: > 0 } f1 ? TextHash.Of(f1[0].Text) : 0,
        (kept & HistoryFields.Field2) != 0 && tx.Fields is { Length: > 1 } f2 ? TextHash.Of(f2[1].Text) : 0);

    public string? Country => Countries.CodeOf(CountryNumber);

    public string? Currency => CurrencyCodes.Unpack(CurrencyCode);
}

/// <summary>The texts of earlier transactions an account's history keeps, as hashes: only those the loaded rules read.</summary>
[Flags]
public enum HistoryFields : byte
{
    None = 0,
    Category = 1,
    Target = 2,
    Device = 4,

    /// <summary>The first input field rules read of earlier transactions (<c>field("x")</c>): the pack's first in history.</summary>
    Field1 = 8,

    /// <summary>The second such field.</summary>
    Field2 = 16,
}

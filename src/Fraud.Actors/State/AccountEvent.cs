using Fraud.Actors.Transactions;

namespace Fraud.Actors.State;

/// <summary>
/// One remembered transaction; a small struct so windows cost no allocation per entry. Its country is kept as the
/// country's number (<see cref="Countries.Number"/>), not the string: the window's array then holds no reference.
/// </summary>
internal readonly record struct AccountEvent(long Ticks, decimal Amount, ushort CountryNumber)
{
    public AccountEvent(long ticks, decimal amount, string? country)
        : this(ticks, amount, Countries.Number(country))
    {
    }

    public string? Country => Countries.CodeOf(CountryNumber);
}

namespace Fraud.Actors.Rules.Compiler;

/// <summary>The walks over earlier events' reference amounts (<c>sum(amount_ref, 7d)</c>), in integer hundredths.</summary>
internal static partial class Aggregates
{
    /// <summary>
    /// <see cref="Fold"/> of the earlier events' reference amounts (those with a rate): added up in hundredths, as
    /// integers, with the scale decimal would give the result; an amount or a total beyond that is folded in decimal.
    /// </summary>
    public static decimal? FoldReference(ref RuleInput input, string function, CurrencyRates rates, long window, Condition? filter)
    {
        var events = input.History;
        var t = input.Ticks;
        var from = t - window;
        long sum = 0, min = long.MaxValue, max = long.MinValue;
        byte sumScale = 0, minScale = 0, maxScale = 0;
        var count = 0;
        for (var k = events.Length - 1; k >= 0 && events[k].Ticks > from; k--)
        {
            if (events[k].Ticks > t || (filter is not null && !Passes(ref input, k, filter)))
            {
                continue;
            }

            var kind = CentsOf(ref input, k, rates, out var cents, out var scale);
            if (kind == CurrencyRates.Cents.None)
            {
                continue;
            }

            if (kind == CurrencyRates.Cents.TooLarge || (sum += cents) < 0)
            {
                return FoldReferenceInDecimal(ref input, function, rates, window, filter);
            }

            count++;
            if (scale > sumScale) sumScale = scale;
            if (cents < min) (min, minScale) = (cents, scale);
            if (cents > max) (max, maxScale) = (cents, scale);
        }

        return function switch
        {
            "sum" => CurrencyRates.FromCents(sum, sumScale),
            _ when count == 0 => null,
            "avg" => CurrencyRates.FromCents(sum, sumScale) / count,
            "min" => CurrencyRates.FromCents(min, minScale),
            _ => CurrencyRates.FromCents(max, maxScale),
        };
    }

    /// <summary><see cref="FoldReference"/> in decimal arithmetic, for amounts or totals beyond 63 bits of hundredths.</summary>
    private static decimal? FoldReferenceInDecimal(ref RuleInput input, string function, CurrencyRates rates, long window, Condition? filter)
    {
        var events = input.History;
        var t = input.Ticks;
        var from = t - window;
        var fold = new DecimalFold();
        for (var k = events.Length - 1; k >= 0 && events[k].Ticks > from; k--)
        {
            if (events[k].Ticks > t || (filter is not null && !Passes(ref input, k, filter))
                || rates.ToReference(events[k].Amount, events[k].CurrencyCode) is not { } x)
            {
                continue;
            }

            if (!fold.Add(x))
            {
                return null; // beyond decimal's range: no honest value, so the comparison is false
            }
        }

        return fold.Result(function);
    }

    /// <summary>
    /// The earlier event's reference amount in hundredths, converted once per transaction however many walks read it
    /// (when the evaluation keeps a cache, <see cref="RuleInput.References"/>).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static CurrencyRates.Cents CentsOf(ref RuleInput input, int k, CurrencyRates rates, out long cents, out byte scale)
    {
        if (input.References.IsEmpty)
        {
            return rates.ToReferenceCents(input.History[k].Amount, input.History[k].CurrencyCode, out cents, out scale);
        }

        var state = input.ReferenceState[k];
        if (state != 0)
        {
            (cents, scale) = (input.References[k], (byte)(state >> 4));
            return (CurrencyRates.Cents)((state & 0xF) - 1);
        }

        var kind = rates.ToReferenceCents(input.History[k].Amount, input.History[k].CurrencyCode, out cents, out scale);
        input.References[k] = cents;
        input.ReferenceState[k] = (byte)((scale << 4) | ((int)kind + 1));
        return kind;
    }
}

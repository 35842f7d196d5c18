using System.Globalization;
using CsCheck;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;

namespace Fraud.Actors.Tests;

/// <summary>Reference amounts: by code or by packed code, the amount times its rate rounded to cents, half to even.</summary>
public sealed class CurrencyRatesSpecs
{
    [Fact]
    public void Should_convert_by_packed_code_exactly_as_decimal_rounds_the_product()
    {
        // Rates and amounts of every shape: few digits (the integer path), many digits and large ones (decimal's own).
        var rates = Gen.OneOf(Gen.Int[1, 100_000].Select(m => m / 10_000m), Gen.Int[1, 1_000_000].Select(m => m / 100_000_000m),
            Gen.Decimal[0.000001m, 1_000_000m]);
        var amounts = Gen.OneOf(Gen.Int[0, 10_000_000].Select(c => c / 100m), Gen.Long[0, 1_000_000_000_000].Select(m => m / 1000m),
            Gen.Decimal[0m, 1_000_000_000m], Gen.Int[0, 1000].Select(u => (decimal)u));
        Gen.Select(rates, amounts).Sample((rate, amount) =>
        {
            var table = CurrencyRates.Parse($"reference USD\nEUR {rate.ToString(CultureInfo.InvariantCulture)}\n", "rates.txt");
            var parsed = decimal.Parse(rate.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            var expected = decimal.Round(amount * parsed, 2);
            var byCode = table.ToReference(amount, CurrencyCodes.Pack("EUR"));
            var byText = table.ToReference(amount, "EUR");
            // Equal as numbers and as written (the verdict prints them).
            return byCode == expected && byText == expected
                && byCode!.Value.ToString(CultureInfo.InvariantCulture) == expected.ToString(CultureInfo.InvariantCulture);
        }, iter: 100_000);
    }

    [Fact]
    public void Should_fold_a_window_of_reference_amounts_as_decimal_would_in_value_and_written_form()
    {
        // Sum, avg, min and max of amount_ref are added up in hundredths; each must equal the decimal fold of the
        // converted amounts, written the same (5 and 5.00 differ in a verdict), large amounts and no rate included.
        var rules = RuleParser.Parse("""
            rule s: review when sum(amount_ref, 1h) >= 0 or avg(amount_ref, 1h) >= 0 or min(amount_ref, 1h) >= 0 or max(amount_ref, 1h) >= 0 or amount >= 0
            """, "f.rules");
        var codes = new[] { "USD", "EUR", "JPY", "CHF" }; // CHF has no rate
        var amounts = Gen.OneOf(Gen.Int[0, 100_000].Select(c => c / 100m), Gen.Int[0, 1000].Select(u => (decimal)u), Gen.Int[0, 10_000].Select(c => c / 10m),
            Gen.Long[0, 1_000_000_000_000_000].Select(m => m / 100m), Gen.Decimal[0m, 1_000_000_000_000m]);
        var rates = Gen.OneOf(Gen.Int[1, 100_000].Select(m => m / 10_000m), Gen.Int[1, 100].Select(m => (decimal)m), Gen.Int[1, 1_000_000].Select(m => m / 100_000_000m));
        Gen.Select(rates, rates, Gen.Select(amounts, Gen.Int[0, 3]).Array[1, 40]).Sample((eur, jpy, events) =>
        {
            var table = CurrencyRates.Parse($"reference USD\nEUR {eur.ToString(CultureInfo.InvariantCulture)}\nJPY {jpy.ToString(CultureInfo.InvariantCulture)}\n", "rates.txt");
            var compiled = RuleCompiler.Compile(rules, new RuleEnvironment(new Dictionary<string, IReadOnlySet<string>>(), table, RuleEnvironment.DefaultMaxWindow));
            var t = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
            var state = new AccountState();
            for (var k = 0; k < events.Length; k++)
            {
                state.Record(new AccountEvent(t.AddSeconds(-events.Length + k).UtcTicks, events[k].Item1, 0, CurrencyCodes.Pack(codes[events[k].Item2])),
                    TimeSpan.FromDays(60).Ticks, 1024);
            }

            // Newest first, as a walk reads them: of equal values (0 and 0.00) the newest is the one shown.
            var converted = events.Reverse().Select(e => table.ToReference(e.Item1, codes[e.Item2])).OfType<decimal>().ToList();
            decimal? sum = 0m;
            foreach (var x in converted)
            {
                try { sum += x; } catch (OverflowException) { sum = null; break; }
            }

            var expected = new[]
            {
                sum, sum is null || converted.Count == 0 ? null : sum / converted.Count,
                converted.Count == 0 ? null : converted.Aggregate((a, b) => b < a ? b : a), converted.Count == 0 ? null : converted.Aggregate((a, b) => b > a ? b : a),
            };
            var tx = new Fraud.Actors.Transactions.Transaction("tx", "ACC", "MER", 1m, "USD", t, "grocery", "US", "dev");
            var seen = compiled.Evaluate(state.View, tx, late: false).Hits.Single().Values.Take(4).Select(v => v.Number).ToArray();
            string Written(decimal?[] values) => string.Join(" ", values.Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? "missing"));
            if (Written(seen) != Written(expected))
            {
                throw new Xunit.Sdk.XunitException($"compiled {Written(seen)}, decimal {Written(expected)}");
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Should_have_no_reference_amount_for_a_currency_without_a_rate()
    {
        var table = CurrencyRates.Parse("reference USD\nEUR 1.08\n", "rates.txt");
        Assert.Null(table.ToReference(10m, CurrencyCodes.Pack("JPY")));
        Assert.Null(table.ToReference(10m, (ushort)0));
        Assert.Equal(10m, table.ToReference(10m, CurrencyCodes.Pack("USD")));
        Assert.Equal(2.16m, table.ToReference(2m, CurrencyCodes.Pack("EUR")));
    }

    [Fact]
    public void Should_refuse_a_rates_line_it_cannot_read_with_its_line()
    {
        var error = Assert.Throws<RuleSyntaxException>(() => CurrencyRates.Parse("reference USD\nEUR one\n", "rates.txt"));
        Assert.Equal(2, error.Line);
    }
}

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

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Globalization;
using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// How much one unit of each currency is worth in the reference currency (<c>amount_ref</c>). The file reads
/// <c>reference USD</c> and then one <c>CODE RATE</c> a line; <c>#</c> starts a comment. A currency without a rate has
/// no reference amount, so a comparison with it is false rather than a guess.
/// </summary>
internal sealed class CurrencyRates
{
    private readonly Dictionary<string, decimal> _rates;

    // The rates by packed code (CurrencyCodes), what the history keeps: an earlier event converts without a string.
    private readonly decimal?[] _byCode = new decimal?[CurrencyCodes.Count + 1];
    private readonly long[] _mantissaByCode = new long[CurrencyCodes.Count + 1];
    private readonly byte[] _scaleByCode = new byte[CurrencyCodes.Count + 1];

    private CurrencyRates(string reference, Dictionary<string, decimal> rates)
    {
        Reference = reference;
        _rates = rates;
        foreach (var (code, rate) in rates)
        {
            var packed = CurrencyCodes.Pack(code);
            _byCode[packed] = rate;
            (_mantissaByCode[packed], _scaleByCode[packed]) = SmallParts(rate) is { Mantissa: > 0 and < (1L << 31) } parts ? parts : (-1, 0);
        }
    }

    public string Reference { get; }

    public int Count => _rates.Count;

    public decimal? ToReference(decimal amount, string? currency) =>
        currency is not null && _rates.TryGetValue(currency, out var rate) ? Convert(amount, rate) : null;

    /// <summary>An amount in the currency of a packed code (<see cref="CurrencyCodes.Pack"/>) in the reference currency.</summary>
    public decimal? ToReference(decimal amount, ushort currency) => ToReferenceCents(amount, currency, out var cents, out var scale) switch
    {
        // Most amounts and rates have a few digits: their product rounded in integers, as decimal would round it.
        Cents.Exact => FromCents(cents, scale),
        Cents.TooLarge => Convert(amount, _byCode[currency]!.Value),
        _ => null,
    };

    /// <summary>
    /// <see cref="ToReference(decimal, ushort)"/> in hundredths of the reference currency, for walks that add up many:
    /// <see cref="Cents.None"/> without a rate, <see cref="Cents.Exact"/> with the value and the scale decimal would
    /// give it, <see cref="Cents.TooLarge"/> when only decimal arithmetic holds it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Cents ToReferenceCents(decimal amount, ushort currency, out long cents, out byte scale)
    {
        (cents, scale) = (0, 0);
        var rateMantissa = _mantissaByCode[currency];
        if (rateMantissa <= 0)
        {
            return rateMantissa == 0 ? Cents.None : Cents.TooLarge;
        }

        // A walk converts every earlier amount of its window: the digits are read in place, not copied out by GetBits.
        ref var parts = ref Unsafe.As<decimal, DecimalParts>(ref amount);
        if (!DecimalParts.LayoutHolds || parts.Flags < 0 || parts.High != 0 || parts.Low >= (1UL << 31))
        {
            return DecimalParts.LayoutHolds ? Cents.TooLarge : ToReferenceCentsSlowly(amount, currency, out cents, out scale);
        }

        var product = (long)parts.Low * rateMantissa;
        var productScale = ((parts.Flags >> 16) & 0xFF) + _scaleByCode[currency];
        return Round(product, productScale, out cents, out scale);
    }

    private Cents ToReferenceCentsSlowly(decimal amount, ushort currency, out long cents, out byte scale)
    {
        (cents, scale) = (0, 0);
        if (SmallParts(amount) is not { } a || a.Mantissa >= (1L << 31))
        {
            return Cents.TooLarge;
        }

        return Round(a.Mantissa * _mantissaByCode[currency], a.Scale + _scaleByCode[currency], out cents, out scale);
    }

    /// <summary>A product of that scale in hundredths, rounded half to even as decimal.Round does.</summary>
    private static Cents Round(long product, int productScale, out long cents, out byte scale)
    {
        if (productScale <= 2)
        {
            if (product > long.MaxValue / 100)
            {
                (cents, scale) = (0, 0);
                return Cents.TooLarge;
            }

            (cents, scale) = (product * PowersOfTen[2 - productScale], (byte)productScale);
            return Cents.Exact;
        }

        if (productScale > 18)
        {
            (cents, scale) = (0, 0);
            return Cents.TooLarge;
        }

        var divisor = PowersOfTen[productScale - 2];
        var (q, r) = Math.DivRem(product, divisor);
        if (r * 2 > divisor || (r * 2 == divisor && (q & 1) == 1)) q++;
        (cents, scale) = (q, 2);
        return Cents.Exact;
    }

    /// <summary>decimal's fields as the runtime lays them out (flags, high 32 bits, low 64), checked once at start.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct DecimalParts
    {
        public readonly int Flags;
        public readonly uint High;
        public readonly ulong Low;

        public static readonly bool LayoutHolds = Check();

        private static bool Check()
        {
            if (Unsafe.SizeOf<decimal>() != Unsafe.SizeOf<DecimalParts>())
            {
                return false;
            }

            var probe = new decimal(0x12345678, 0x0ABCDEF0, 0x7654321, true, 7);
            ref var parts = ref Unsafe.As<decimal, DecimalParts>(ref probe);
            return parts.Low == 0x0ABCDEF0_12345678UL && parts.High == 0x7654321 && parts.Flags == unchecked((int)(0x80000000 | (7 << 16)));
        }
    }

    /// <summary>Hundredths back to the decimal of that scale (0 to 2): the value and written form decimal arithmetic gives.</summary>
    public static decimal FromCents(long cents, byte scale)
    {
        var mantissa = cents / PowersOfTen[2 - scale];
        return new decimal((int)mantissa, (int)(mantissa >> 32), 0, false, scale);
    }

    internal enum Cents : byte
    {
        None,
        Exact,
        TooLarge,
    }

    private static readonly long[] PowersOfTen = Enumerable.Range(0, 19).Select(p => (long)Math.Pow(10, p)).ToArray();

    /// <summary>A non-negative decimal's integer digits and scale, when they fit in 63 bits; null otherwise.</summary>
    private static (long Mantissa, byte Scale)? SmallParts(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        if (bits[2] != 0 || bits[1] < 0 || (bits[3] & int.MinValue) != 0)
        {
            return null;
        }

        return (((long)bits[1] << 32) | (uint)bits[0], (byte)((bits[3] >> 16) & 0xFF));
    }

    private static decimal? Convert(decimal amount, decimal rate)
    {
        try
        {
            return decimal.Round(amount * rate, 2);
        }
        catch (OverflowException)
        {
            return null; // beyond decimal's range: no honest value
        }
    }

    public static CurrencyRates Parse(string text, string file)
    {
        string? reference = null;
        var rates = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var hash = line.IndexOf('#');
            var content = (hash >= 0 ? line[..hash] : line).Trim();
            if (content.Length == 0)
            {
                continue;
            }

            var parts = content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == "reference" && IsCode(parts[1]))
            {
                reference = parts[1];
                rates[reference] = 1;
                continue;
            }

            if (parts.Length != 2 || !IsCode(parts[0])
                || !decimal.TryParse(parts[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) || rate <= 0)
            {
                throw new RuleSyntaxException(file, n + 1, 1, $"expected 'reference CODE' or 'CODE RATE' (three capital letters, a positive number), found '{content}'");
            }

            if (!rates.TryAdd(parts[0], rate))
            {
                throw new RuleSyntaxException(file, n + 1, 1, $"a rate for {parts[0]} is already given above");
            }
        }

        return reference is null
            ? throw new RuleSyntaxException(file, 1, 1, "expected a line 'reference CODE' naming the reference currency")
            : new CurrencyRates(reference, rates);
    }

    private static bool IsCode(string s) => s.Length == 3 && s.All(char.IsAsciiLetterUpper);
}

namespace Fraud.Actors.State;

/// <summary>
/// A text as 32 bits (FNV-1a over its UTF-16 code units, ordinal): what an account's history keeps of a category, a
/// target or a device. 0 means missing. Two different texts share a hash about once in four billion pairs, so among the
/// few hundred events of one account's window a false "seen" or a distinct count one short is practically never.
/// </summary>
public static class TextHash
{
    public static uint Of(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash == 0 ? 1u : hash; // 0 is kept for "missing"
    }
}

/// <summary>A three-letter currency code (A–Z) packed into 16 bits and back; anything else packs to 0 (not kept).</summary>
public static class CurrencyCodes
{
    public static ushort Pack(string? code)
    {
        if (code is not { Length: 3 } || !IsLetter(code[0]) || !IsLetter(code[1]) || !IsLetter(code[2]))
        {
            return 0;
        }

        return (ushort)(1 + ((code[0] - 'A') * 26 + (code[1] - 'A')) * 26 + (code[2] - 'A'));
    }

    private const int Codes = 26 * 26 * 26;

    /// <summary>How many codes there are: a packed code is 1 to this (0 is none).</summary>
    public const int Count = Codes;

    // Each code's text made once, when first asked for: a rule reading earlier currencies allocates nothing per event.
    private static readonly string?[] Texts = new string?[Codes + 1];

    public static string? Unpack(ushort packed)
    {
        if (packed == 0 || packed > Codes)
        {
            return null;
        }

        return Texts[packed] ??= string.Create(3, packed - 1, static (span, v) =>
        {
            span[0] = (char)('A' + v / 676);
            span[1] = (char)('A' + v / 26 % 26);
            span[2] = (char)('A' + v % 26);
        });
    }

    private static bool IsLetter(char c) => c is >= 'A' and <= 'Z';
}

namespace Fraud.Actors.Transactions;

/// <summary>Approximate country centroids (ISO 3166 alpha-2), enough to tell a plausible trip from an impossible one.</summary>
public static class Countries
{
    private static readonly Dictionary<string, (double Lat, double Lon)> Centroids = new(StringComparer.OrdinalIgnoreCase)
    {
        ["US"] = (39.8, -98.6), ["CA"] = (56.1, -106.3), ["MX"] = (23.6, -102.6), ["BR"] = (-14.2, -51.9),
        ["AR"] = (-38.4, -63.6), ["CL"] = (-35.7, -71.5), ["CO"] = (4.6, -74.3), ["PE"] = (-9.2, -75.0),
        ["GB"] = (54.0, -2.0), ["IE"] = (53.4, -8.2), ["FR"] = (46.2, 2.2), ["DE"] = (51.2, 10.5),
        ["ES"] = (40.5, -3.7), ["PT"] = (39.4, -8.2), ["IT"] = (41.9, 12.6), ["NL"] = (52.1, 5.3),
        ["BE"] = (50.5, 4.5), ["CH"] = (46.8, 8.2), ["AT"] = (47.5, 14.6), ["SE"] = (60.1, 18.6),
        ["NO"] = (60.5, 8.5), ["FI"] = (61.9, 25.7), ["DK"] = (56.3, 9.5), ["PL"] = (51.9, 19.1),
        ["CZ"] = (49.8, 15.5), ["GR"] = (39.1, 21.8), ["TR"] = (39.0, 35.2), ["RU"] = (61.5, 105.3),
        ["UA"] = (48.4, 31.2), ["RO"] = (45.9, 25.0), ["EG"] = (26.8, 30.8), ["NG"] = (9.1, 8.7),
        ["ZA"] = (-30.6, 22.9), ["KE"] = (-0.02, 37.9), ["MA"] = (31.8, -7.1), ["AE"] = (23.4, 53.8),
        ["SA"] = (23.9, 45.1), ["IL"] = (31.0, 34.9), ["IN"] = (20.6, 79.0), ["CN"] = (35.9, 104.2),
        ["JP"] = (36.2, 138.3), ["KR"] = (35.9, 127.8), ["SG"] = (1.35, 103.8), ["TH"] = (15.9, 101.0),
        ["VN"] = (14.1, 108.3), ["ID"] = (-0.8, 113.9), ["PH"] = (12.9, 121.8), ["AU"] = (-25.3, 133.8),
        ["NZ"] = (-40.9, 174.9),
    };

    /// <summary>Codes the table knows, in a stable order.</summary>
    public static IReadOnlyList<string> Known { get; } = Centroids.Keys.Order(StringComparer.Ordinal).ToArray();

    private static readonly Dictionary<string, int> IndexOf = Known.Select((code, i) => (code, i)).ToDictionary(p => p.code, p => p.i, StringComparer.OrdinalIgnoreCase);

    // Two ASCII letters, upper-cased, as one number: how the parser finds a code in the record's bytes without a string.
    private static readonly Dictionary<int, string> ByUtf8 = Known.ToDictionary(code => Pack((byte)code[0], (byte)code[1]), code => code);

    // Every pair computed once: the impossible-travel rule asks for one distance per transaction, and the haversine's
    // trigonometry costs more than the rest of the rule.
    private static readonly double[] Distances = PairDistances();

    /// <summary>Great-circle distance between two countries' centroids in km; null when either is unknown.</summary>
    public static double? DistanceKm(string? a, string? b)
    {
        if (a is null || b is null || !IndexOf.TryGetValue(a, out var i) || !IndexOf.TryGetValue(b, out var j))
        {
            return null;
        }

        return Distances[i * Known.Count + j];
    }

    /// <summary>
    /// The table's own instance of an upper-case code given as UTF-8, or null when it is not one: the parser takes
    /// country codes from here, so that the thousands of windows holding "DE" hold one string, not one each.
    /// </summary>
    public static string? KnownCode(ReadOnlySpan<byte> utf8) =>
        utf8.Length == 2 && ByUtf8.TryGetValue(Pack(utf8[0], utf8[1]), out var code) && code[0] == utf8[0] && code[1] == utf8[1] ? code : null;

    /// <summary>
    /// A country code as a small number, for the windows' events: an event that holds a reference makes the GC trace its
    /// window's block, a number does not (see <see cref="BlockPool{T}"/>). 0 is no country, 1 to <see cref="Known"/>'s
    /// count the table's codes as spelled there; any other spelling gets the next number, kept for the process's life.
    /// </summary>
    /// <remarks>
    /// Other spellings come from input ("de", "XX", anything), so their table is bounded: beyond it, every new one is
    /// recorded as <see cref="Unrecognized"/>. The rules read only whether an event has a country and its distance to
    /// another, which a code outside the distance table does not have: they decide the same either way.
    /// </remarks>
    public static ushort Number(string? code)
    {
        if (code is null)
        {
            return 0;
        }

        if (code.Length == 2 && IndexOf.TryGetValue(code, out var i) && string.Equals(Known[i], code, StringComparison.Ordinal))
        {
            return (ushort)(i + 1);
        }

        lock (Others)
        {
            if (Others.TryGetValue(code, out var number))
            {
                return number;
            }

            if (Codes.Count >= MaxNumbers)
            {
                return UnrecognizedNumber;
            }

            number = (ushort)Codes.Count;
            Others[code] = number;
            Codes.Add(code);
            Rows.Add(IndexOf.TryGetValue(code, out var row) ? row : -1); // "de" is DE's distances
            CodeByNumber = [.. Codes];
            RowByNumber = [.. Rows];
            return number;
        }
    }

    /// <summary>The code numbered <paramref name="number"/> by <see cref="Number(string?)"/>.</summary>
    public static string? CodeOf(ushort number) => CodeByNumber[number];

    /// <summary><see cref="DistanceKm(string?, string?)"/> of two numbered codes.</summary>
    public static double? DistanceKm(ushort a, ushort b)
    {
        var rows = RowByNumber;
        var (i, j) = (rows[a], rows[b]);
        return i < 0 || j < 0 ? null : Distances[i * Known.Count + j];
    }

    /// <summary>What each code beyond the bound of other spellings is recorded as.</summary>
    public const string Unrecognized = "??";

    private const int MaxNumbers = 4096;

    // The numbered codes and each one's row in the distance table (-1: none), read without a lock through the two arrays,
    // which are replaced whole when a code is added (once per new spelling in the process's life).
    private static readonly List<string?> Codes = [null, .. Known, Unrecognized];
    private static readonly List<int> Rows = [-1, .. Enumerable.Range(0, Known.Count), -1];
    private static readonly ushort UnrecognizedNumber = (ushort)(Known.Count + 1);
    private static readonly Dictionary<string, ushort> Others = new(StringComparer.Ordinal) { [Unrecognized] = UnrecognizedNumber };
    private static string?[] CodeByNumber = [.. Codes];
    private static int[] RowByNumber = [.. Rows];

    private static int Pack(byte first, byte second) => (first & ~0x20) << 8 | (second & ~0x20);

    private static double[] PairDistances()
    {
        var n = Known.Count;
        var distances = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                distances[i * n + j] = Haversine(Centroids[Known[i]], Centroids[Known[j]]);
            }
        }

        return distances;
    }

    private static double Haversine((double Lat, double Lon) p, (double Lat, double Lon) q)
    {
        const double earthRadiusKm = 6371.0;
        static double Rad(double degrees) => degrees * Math.PI / 180.0;
        var dLat = Rad(q.Lat - p.Lat);
        var dLon = Rad(q.Lon - p.Lon);
        var h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
                + Math.Cos(Rad(p.Lat)) * Math.Cos(Rad(q.Lat)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * earthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }
}

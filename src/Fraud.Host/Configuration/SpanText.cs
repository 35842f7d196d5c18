using System.Globalization;

namespace Fraud.Host.Configuration;

/// <summary>A span as a person types it on the command line or in a request: a whole number and a unit, <c>90m</c>, <c>24h</c>, <c>30d</c>.</summary>
public static class SpanText
{
    /// <summary>The span <paramref name="text"/> says, in one of <paramref name="units"/> (of <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>); null when it says none.</summary>
    public static TimeSpan? Parse(string text, string units = "smhd")
    {
        if (text.Length < 2 || !units.Contains(text[^1]) || !int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return null;
        }

        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            _ => TimeSpan.FromDays(n),
        };
    }
}

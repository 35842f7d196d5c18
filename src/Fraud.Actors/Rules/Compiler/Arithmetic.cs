namespace Fraud.Actors.Rules.Compiler;

/// <summary>Arithmetic on rule values: a result beyond decimal's range, or a division by zero, is a missing value, not an exception.</summary>
internal static class Arithmetic
{
    public static bool TryAdd(decimal a, decimal b, out decimal sum)
    {
        // decimal throws on overflow; a try costs nothing until it throws, which a sum of capped amounts almost never does.
        try
        {
            sum = a + b;
            return true;
        }
        catch (OverflowException)
        {
            sum = 0;
            return false;
        }
    }

    public static decimal? Add(decimal a, decimal b) => TryAdd(a, b, out var sum) ? sum : null;

    public static decimal? Apply(string op, decimal a, decimal b)
    {
        try
        {
            return op switch
            {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                _ => b == 0 ? null : a / b,
            };
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}

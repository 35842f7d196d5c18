namespace Fraud.Actors.State;

/// <summary>A stable 64-bit FNV-1a hash of a transaction id (string.GetHashCode is 32-bit and randomized).</summary>
internal static class TransactionIdHash
{
    public static ulong Of(string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}

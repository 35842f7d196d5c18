using System.Collections.Concurrent;

namespace Fraud.Actors.Checkpoints;

/// <summary>
/// The accounts a save writes. A store reads them with <see cref="ForEach"/> (on any thread) <b>before the task its
/// <c>SaveAsync</c> returned completes</b>, and not after: a partition's accounts are a snapshot the partition fills
/// again at its next save, encoded as they are read, straight into the store's own form (no string and no array per
/// account). Read after the save completed, they throw.
/// </summary>
public abstract class ChangedAccounts
{
    public abstract int Count { get; }

    /// <summary>Calls <paramref name="visit"/> for each account; the spans are valid during that call only.</summary>
    public abstract void ForEach(ChangedAccountVisitor visit);

    /// <summary>Accounts already encoded (tests, tools, the bench).</summary>
    public static ChangedAccounts Of(IReadOnlyList<KeyValuePair<string, byte[]>> accounts) => new Encoded(accounts);

    /// <summary>An account id as UTF-8, in <paramref name="small"/> when it fits (ids are short).</summary>
    public static ReadOnlySpan<byte> Utf8Of(string account, Span<byte> small)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(account);
        var utf8 = length <= small.Length ? small[..length] : new byte[length];
        System.Text.Encoding.UTF8.GetBytes(account, utf8);
        return utf8;
    }

    private sealed class Encoded(IReadOnlyList<KeyValuePair<string, byte[]>> accounts) : ChangedAccounts
    {
        public override int Count => accounts.Count;

        public override void ForEach(ChangedAccountVisitor visit)
        {
            Span<byte> small = stackalloc byte[256];
            foreach (var (account, state) in accounts)
            {
                visit(Utf8Of(account, small), state);
            }
        }
    }
}

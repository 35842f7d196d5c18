using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fraud.Actors.Transactions;

/// <summary>The outcome of parsing: a transaction, or a reason and a human-readable detail.</summary>
public readonly record struct ParseResult(Transaction? Transaction, string? Reason, string? Detail, InputSplice Splice = InputSplice.Rewrite)
{
    public bool IsValid => Transaction is not null;

    public static ParseResult Ok(Transaction transaction, InputSplice splice = InputSplice.Rewrite) => new(transaction, null, null, splice);

    public static ParseResult Reject(string reason, string detail) => new(null, reason, detail);
}

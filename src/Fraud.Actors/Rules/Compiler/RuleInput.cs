using Fraud.Actors.State;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// What a compiled rule reads for one transaction: the transaction, its event time and country number, and the
/// account's earlier events. <see cref="Focus"/> names the earlier event a <c>where</c> filter or an aggregate's
/// attribute is reading; <see cref="Slots"/> keep each shared aggregate once computed, so a window's sum named by three
/// rules is walked once.
/// </summary>
internal ref struct RuleInput
{
    public Transaction Tx;
    public long Ticks;
    public ushort Country;
    public ReadOnlySpan<AccountEvent> History;
    public int Focus;
    public Span<decimal?> Slots;
    public Span<bool> Done;

    /// <summary>
    /// Earlier events' reference amounts once converted, in hundredths (<see cref="ReferenceState"/>: 0 not yet, else
    /// 1 + <see cref="CurrencyRates.Cents"/>, the scale in the high bits); empty when not kept.
    /// </summary>
    public Span<long> References;

    public Span<byte> ReferenceState;
}

internal delegate bool Condition(ref RuleInput input);

/// <summary>A number, or null when a value it needs is missing (a comparison with it is then false).</summary>
internal delegate decimal? Number(ref RuleInput input);

/// <summary>A text's hash (<see cref="TextHash"/>), 0 when missing: what an account's history keeps of some texts.</summary>
internal delegate uint TextKey(ref RuleInput input);

/// <summary>A text, or null when missing.</summary>
internal delegate string? Text(ref RuleInput input);

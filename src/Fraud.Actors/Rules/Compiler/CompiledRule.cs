using Fraud.Actors.Rules.Language;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// One rule ready to run: its definition, its condition as a closure, and how a hit explains itself (the first numeric
/// comparison's two sides and the first window, as the built-in rules report them, and the value of every expression
/// its comparisons tested).
/// </summary>
internal sealed class CompiledRule(RuleDefinition definition, Condition condition, bool readsHistory, Number? observed, Number? limit,
    bool roundObserved, TimeSpan? window, IReadOnlyList<(string Text, Number? Num, Text? Txt)> values)
{
    public RuleDefinition Definition { get; } = definition;

    public string Id => Definition.Id;

    public RuleAction Action => Definition.Action;

    /// <summary>Whether the rule reads the account's history; a late transaction is judged only by rules that do not.</summary>
    public bool ReadsHistory { get; } = readsHistory;

    public Condition Condition { get; } = condition;

    /// <summary>
    /// Until when (event ticks) the history this rule reads is partial: it reads a field the history began to keep
    /// lately (<see cref="FieldHistory"/>), and its window reaches back before that; 0 when it is whole.
    /// </summary>
    public long PartialUntilTicks { get; init; }

    private readonly string? _window = window is { } w ? Scoring.WindowText(w) : null;

    public RuleHit Explain(ref RuleInput input)
    {
        var seen = observed?.Invoke(ref input) ?? 0;
        var tested = new SeenValue[values.Count];
        for (var k = 0; k < tested.Length; k++)
        {
            var (text, num, txt) = values[k];
            tested[k] = num is not null ? new SeenValue(text, num(ref input)) : new SeenValue(text, null, txt!(ref input));
        }

        return new RuleHit(Id, roundObserved ? Math.Round(seen, 1) : seen, limit?.Invoke(ref input) ?? 0, _window)
        {
            Version = Definition.Version,
            Values = tested,
            PartialUntil = input.Ticks < PartialUntilTicks ? new DateTimeOffset(PartialUntilTicks, TimeSpan.Zero) : null,
        };
    }
}

using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// A rule file compiled: every enabled rule is evaluated for every transaction (so every hit is explained), then the
/// active rules' actions decide; shadow rules are evaluated after them and only reported. Safe to share between partitions: the per-transaction scratch lives on the evaluating thread's stack.
/// </summary>
public sealed class CompiledRules
{
    private readonly CompiledRule[] _enabled;
    private readonly int _active;
    private readonly double[] _weights;
    private readonly int _slots;

    // The conditions' slots and, after them, those only a hit's explanation reads (an aggregate a fused comparison
    // walked without keeping): made on the first hit, so a transaction that fires nothing never sets them up.
    private readonly int _allSlots;

    // The enabled rules' conditions side by side: the loop over them reads two arrays, not an object per rule.
    private readonly Condition[] _conditions;
    private readonly bool[] _readsHistory;

    // Whether walks read earlier events' reference amounts: each is then converted once a transaction, not once a walk.
    private readonly bool _readsEarlierReference;

    internal CompiledRules(string path, IReadOnlyList<CompiledRule> rules, int slots, int allSlots, TimeSpan longestWindow, HistoryFields kept, InputFields? fields, bool readsEarlierReference)
    {
        _readsEarlierReference = readsEarlierReference;
        Fields = fields;
        Kept = kept;
        Path = path;
        Definitions = rules.Select(r => r.Definition).ToArray();
        // Active rules first, then shadow ones: one loop evaluates both, and an index past the active ones only reports.
        _enabled = rules.Where(r => r.Definition.Mode == RuleMode.Active).Concat(rules.Where(r => r.Definition.Mode == RuleMode.Shadow)).ToArray();
        _active = rules.Count(r => r.Definition.Mode == RuleMode.Active);
        _weights = _enabled.Select(r => Math.Clamp(r.Definition.Weight, 0, 1)).ToArray();
        _conditions = _enabled.Select(r => r.Condition).ToArray();
        _readsHistory = _enabled.Select(r => r.ReadsHistory).ToArray();
        _slots = slots;
        _allSlots = allSlots;
        LongestWindow = longestWindow;
    }

    public string Path { get; }

    /// <summary>Which input fields the history keeps of earlier transactions under these rules, and since when.</summary>
    public FieldHistory FieldHistory { get; init; } = FieldHistory.None;

    public IReadOnlyList<RuleDefinition> Definitions { get; }

    /// <summary>The rule-set version these rules are (from the rule topics); null for a rule file read at start.</summary>
    /// <remarks>Set once, by whoever compiled them, before they are shared.</remarks>
    public RuleSetVersion? Version { get; internal set; }

    /// <summary>The longest window any rule reads (enabled or not: enabling one must not find its history gone).</summary>
    public TimeSpan LongestWindow { get; }

    /// <summary>The texts of earlier transactions the rules read, so the history keeps them (enabled or not, as the window).</summary>
    public HistoryFields Kept { get; internal set; }

    /// <summary>The input fields the rules read by name (<c>field("x")</c>), for the parser to keep; null when none.</summary>
    public InputFields? Fields { get; }

    /// <summary>
    /// <paramref name="tx"/> with its input fields in these rules' order. A record parsed just before the rules changed
    /// (its group was in flight) carries the fields the rules before read; a field only these read is missing from it.
    /// </summary>
    internal Transaction Aligned(Transaction tx)
    {
        var read = tx.FieldsRead;
        if (read is null || ReferenceEquals(read, Fields) || (Fields is not null && read.Names.SequenceEqual(Fields.Names)))
        {
            return tx;
        }

        if (Fields is null)
        {
            return tx with { Fields = null, FieldsRead = null };
        }

        var values = new InputValue[Fields.Count];
        for (var k = 0; k < values.Length; k++)
        {
            var j = read.IndexOf(Fields.Names[k]);
            if (j >= 0 && tx.Fields is { } old && j < old.Length)
            {
                values[k] = old[j];
            }
        }

        return tx with { Fields = values, FieldsRead = Fields };
    }

    /// <summary>How many distinct aggregates the rules name: each is computed at most once per transaction.</summary>
    internal int SharedAggregates => _slots;

    internal RuleOutcome Evaluate(AccountView account, Transaction tx, bool late) =>
        Evaluate(account, tx, EventTime.TicksOf(tx), Countries.Number(tx.Country), late);

    internal RuleOutcome Evaluate(AccountView account, Transaction tx, long ticks, ushort country, bool late)
    {
        // Aggregates shared between rules are kept here for this one transaction; a pack rarely names more than a few dozen.
        Span<decimal?> slots = _slots == 0 ? default : _slots <= 64 ? stackalloc decimal?[_slots] : new decimal?[_slots];
        Span<bool> done = _slots == 0 ? default : _slots <= 64 ? stackalloc bool[_slots] : new bool[_slots];
        done.Clear();
        var input = new RuleInput { Tx = tx, Ticks = ticks, Country = country, History = account.Events, Focus = -1, Slots = slots, Done = done };
        var n = account.Events.Length;
        if (_readsEarlierReference && n is > 0 and <= 512)
        {
            input.References = stackalloc long[n];
            Span<byte> state = stackalloc byte[n];
            state.Clear();
            input.ReferenceState = state;
        }

        // Most transactions fire nothing: find the first rule that fires before setting up what explanations read.
        var conditions = _conditions;
        var first = 0;
        while (first < conditions.Length && ((late && _readsHistory[first]) || !conditions[first](ref input)))
        {
            first++;
        }

        if (first == conditions.Length)
        {
            return new RuleOutcome(Array.Empty<RuleHit>(), VerdictAction.Legit, 0, Array.Empty<RuleHit>());
        }

        if (_allSlots > _slots)
        {
            // The slots only explanations read (an aggregate a fused comparison walked without keeping), after the conditions'.
            Span<decimal?> grownSlots = _allSlots <= 64 ? stackalloc decimal?[_allSlots] : new decimal?[_allSlots];
            Span<bool> grownDone = _allSlots <= 64 ? stackalloc bool[_allSlots] : new bool[_allSlots];
            grownDone.Clear();
            input.Slots.CopyTo(grownSlots);
            input.Done.CopyTo(grownDone);
            input.Slots = grownSlots;
            input.Done = grownDone;
        }

        var hits = new List<RuleHit>();
        List<RuleHit>? shadow = null;
        var (allow, block, review) = (false, false, false);
        var clean = 1.0;
        for (var k = first; k < conditions.Length; k++)
        {
            if (k > first && ((late && _readsHistory[k]) || !conditions[k](ref input)))
            {
                continue;
            }

            var rule = _enabled[k];
            if (k >= _active)
            {
                (shadow ??= new List<RuleHit>()).Add(rule.Explain(ref input));
                continue;
            }

            hits.Add(rule.Explain(ref input));
            switch (rule.Action)
            {
                case RuleAction.Allow:
                    allow = true;
                    continue;
                case RuleAction.Block:
                    block = true;
                    break;
                default:
                    review = true;
                    break;
            }

            clean *= 1 - _weights[k];
        }

        var decision = allow ? VerdictAction.Allow : block ? VerdictAction.Block : review ? VerdictAction.Review : VerdictAction.Legit;
        return new RuleOutcome(hits.Count == 0 ? Array.Empty<RuleHit>() : hits, decision, Math.Round(1 - clean, 4), shadow ?? (IReadOnlyList<RuleHit>)Array.Empty<RuleHit>());
    }
}

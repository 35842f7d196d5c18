namespace Fraud.Host.Reviews;

/// <summary>
/// The review queue's state, folded from the review and decision topics in any order: the open reviews oldest first,
/// every decision, and per rule how its reviews were decided. A review decided before it is read is never listed; a
/// decision replaced by a later one for the same transaction counts once. At most <paramref name="maxOpen"/> reviews
/// are listed; the rest are counted (<see cref="Summary"/>'s <c>Unlisted</c>) so that none is lost silently.
/// Thread-safe: the queue's thread writes, the dashboard's requests read.
/// </summary>
public sealed class ReviewBook(int maxOpen)
{
    private readonly object _gate = new();
    private readonly SortedSet<(long Ticks, string Id)> _order = new();
    private readonly Dictionary<string, ReviewItem> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Decision> _decided = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Fraud, long Legit)> _byRule = new(StringComparer.Ordinal);
    private long _unlisted;

    /// <summary>Per rule, its reviews decided fraud and legit, and the share that were fraud (live precision).</summary>
    public sealed record RuleDecisions(string Rule, long Fraud, long Legit)
    {
        public double? Precision => Fraud + Legit == 0 ? null : Math.Round((double)Fraud / (Fraud + Legit), 4);
    }

    public sealed record BookSummary(int Open, long Unlisted, double OldestAgeSeconds, int Decided, IReadOnlyList<RuleDecisions> Rules);

    /// <summary>Lists a review, unless it is listed or decided already (a re-read, or a duplicate output).</summary>
    public void Queue(ReviewItem item)
    {
        lock (_gate)
        {
            if (_decided.ContainsKey(item.TransactionId) || _open.ContainsKey(item.TransactionId))
            {
                return;
            }

            if (_open.Count >= maxOpen)
            {
                _unlisted++;
                return;
            }

            _open[item.TransactionId] = item;
            _order.Add(item.Order);
        }
    }

    /// <summary>Takes a decision (a later one for the same transaction replaces it) and closes its review.</summary>
    public void Decide(Decision decision)
    {
        lock (_gate)
        {
            Forget(decision.TransactionId);
            _decided[decision.TransactionId] = decision;
            Count(decision, +1);
            if (_open.Remove(decision.TransactionId, out var item))
            {
                _order.Remove(item.Order);
            }
        }
    }

    /// <summary>A decision deleted from the topic (a tombstone): its counts go; its review is not listed again.</summary>
    public void Withdraw(string transactionId)
    {
        lock (_gate)
        {
            Forget(transactionId);
        }
    }

    private void Forget(string transactionId)
    {
        if (_decided.Remove(transactionId, out var earlier))
        {
            Count(earlier, -1);
        }
    }

    private void Count(Decision decision, int sign)
    {
        foreach (var rule in decision.Rules.Distinct())
        {
            var (fraud, legit) = _byRule.GetValueOrDefault(rule);
            _byRule[rule] = decision.IsFraud ? (fraud + sign, legit) : (fraud, legit + sign);
        }
    }

    /// <summary>Up to <paramref name="limit"/> open reviews, oldest first, after the one <paramref name="after"/> names.</summary>
    public IReadOnlyList<ReviewItem> Oldest(int limit, (long Ticks, string Id)? after = null)
    {
        lock (_gate)
        {
            IEnumerable<(long Ticks, string Id)> from = _order;
            if (after is { } a)
            {
                from = _order.Count == 0 || _order.Comparer.Compare(a, _order.Max) >= 0 ? [] : _order.GetViewBetween(a, _order.Max).Where(o => o != a);
            }

            return from.Take(limit).Select(o => _open[o.Id]).ToList();
        }
    }

    public ReviewItem? Open(string transactionId)
    {
        lock (_gate)
        {
            return _open.GetValueOrDefault(transactionId);
        }
    }

    public Decision? DecisionOn(string transactionId)
    {
        lock (_gate)
        {
            return _decided.GetValueOrDefault(transactionId);
        }
    }

    public BookSummary Summary(DateTimeOffset now)
    {
        lock (_gate)
        {
            var oldest = _order.Count == 0 ? 0 : Math.Max(0, (now.UtcTicks - _order.Min.Ticks) / (double)TimeSpan.TicksPerSecond);
            var rules = _byRule.Where(r => r.Value.Fraud + r.Value.Legit > 0).OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => new RuleDecisions(r.Key, r.Value.Fraud, r.Value.Legit)).ToList();
            return new BookSummary(_open.Count, _unlisted, Math.Round(oldest, 1), _decided.Count, rules);
        }
    }
}

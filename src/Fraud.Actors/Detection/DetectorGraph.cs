using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>
/// The output side of the graph: one flow per outlet. Each takes a group of records for its topic and emits the
/// inputs' tokens once every record of the group is acknowledged.
/// </summary>
public sealed record DetectorSinks<TAck>(
    Flow<IReadOnlyList<OutboundRecord<TAck>>, IReadOnlyList<TAck>, NotUsed> Legit,
    Flow<IReadOnlyList<OutboundRecord<TAck>>, IReadOnlyList<TAck>, NotUsed> Fraud,
    Flow<IReadOnlyList<OutboundRecord<TAck>>, IReadOnlyList<TAck>, NotUsed> DeadLetter);

/// <summary>
/// source → parse → score (the accounts' partition actors) → Partition(legit | fraud | dead-letter) → writers →
/// committer. Built from named parts so that tests plug probes where production plugs Kafka. Every input produces
/// exactly one output, and its token reaches the committer only after that output is acknowledged.
/// Records travel in groups: a group forms only while the stage after it is busy (the stream's backpressure), so a
/// quiet stream moves each record at once and a busy one pays every stage, and the actor hop, once per group instead
/// of once per record.
/// </summary>
public static class DetectorGraph
{
    /// <summary>The most records in one group (see <see cref="Create{TAck,TSourceMat,TCommitMat}"/>).</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>Groups records, up to <paramref name="batchSize"/>, while downstream is busy; never waits for more.</summary>
    public static Flow<T, IReadOnlyList<T>, NotUsed> Group<T>(int batchSize) =>
        Flow.Create<T>()
            .Batch(Math.Max(1, batchSize), first => new List<T>(Math.Max(1, batchSize)) { first }, (group, next) =>
            {
                group.Add(next);
                return group;
            })
            .Select(group => (IReadOnlyList<T>)group)
            .Named("group");

    /// <summary>Parses each record; a record that cannot be scored becomes a dead letter here, nothing is dropped.</summary>
    public static Flow<IReadOnlyList<InboundRecord<TAck>>, IReadOnlyList<(InboundRecord<TAck> Input, ParseResult Parsed)>, NotUsed> Parse<TAck>() =>
        Flow.Create<IReadOnlyList<InboundRecord<TAck>>>()
            .Select(group =>
            {
                var parsed = new (InboundRecord<TAck> Input, ParseResult Parsed)[group.Count];
                for (var i = 0; i < parsed.Length; i++)
                {
                    parsed[i] = (group[i], TransactionParser.Parse(group[i].Value, group[i].Origin));
                }

                return (IReadOnlyList<(InboundRecord<TAck> Input, ParseResult Parsed)>)parsed;
            })
            .Named("parse");

    /// <summary>
    /// Scores through the account actors, at most <paramref name="parallelism"/> groups at once, each sent as one
    /// message per partition. Output order is input order, and one account's transactions reach its actor in that
    /// order, so each account is scored sequentially. A record whose partition has moved to another node since it was
    /// read is not scored here and leaves the stream: it is never acknowledged, so the new owner reads it again from
    /// the committed offset.
    /// </summary>
    public static Flow<IReadOnlyList<(InboundRecord<TAck> Input, ParseResult Parsed)>, IReadOnlyList<ScoredRecord<TAck>>, NotUsed> Score<TAck>(
        IAccountScorer scorer, int parallelism) =>
        Flow.Create<IReadOnlyList<(InboundRecord<TAck> Input, ParseResult Parsed)>>()
            .SelectAsync(Math.Max(1, parallelism), group => ScoreGroupAsync(scorer, group))
            .Named("score");

    private static async Task<IReadOnlyList<ScoredRecord<TAck>>> ScoreGroupAsync<TAck>(IAccountScorer scorer, IReadOnlyList<(InboundRecord<TAck> Input, ParseResult Parsed)> group)
    {
        var requests = new List<ScoreRequest>(group.Count);
        foreach (var (input, parsed) in group)
        {
            if (parsed.IsValid)
            {
                requests.Add(new ScoreRequest(parsed.Transaction!, input.Origin));
            }
        }

        var verdicts = requests.Count == 0 ? [] : await scorer.ScoreAsync(requests).ConfigureAwait(false);
        var scored = new List<ScoredRecord<TAck>>(group.Count);
        var next = 0;
        foreach (var (input, parsed) in group)
        {
            if (!parsed.IsValid)
            {
                scored.Add(new ScoredRecord<TAck>(input, Outcome.DeadLetter, null, null, parsed.Reason, parsed.Detail));
            }
            else if (verdicts[next++] is { } verdict)
            {
                scored.Add(new ScoredRecord<TAck>(input, verdict.IsFraud ? Outcome.Fraud : Outcome.Legit, parsed.Transaction, verdict));
            }
        }

        return scored;
    }

    /// <summary>Splits a scored group by outcome: up to three groups, each for one outlet of the Partition stage.</summary>
    public static IEnumerable<(Outcome Outcome, IReadOnlyList<OutboundRecord<TAck>> Records)> ByOutcome<TAck>(IReadOnlyList<ScoredRecord<TAck>> group)
    {
        List<OutboundRecord<TAck>>? legit = null, fraud = null, dead = null;
        foreach (var scored in group)
        {
            var list = scored.Outcome switch
            {
                Outcome.Legit => legit ??= new(group.Count),
                Outcome.Fraud => fraud ??= new(),
                _ => dead ??= new(),
            };
            list.Add(OutputRecords.ToOutbound(scored));
        }

        if (legit is not null) yield return (Outcome.Legit, legit);
        if (fraud is not null) yield return (Outcome.Fraud, fraud);
        if (dead is not null) yield return (Outcome.DeadLetter, dead);
    }

    /// <summary>
    /// The whole detector; <paramref name="parallelism"/> counts transactions being scored at once, in groups of up to
    /// <paramref name="batchSize"/>. Materializes the source's value and the committer's.
    /// </summary>
    public static IRunnableGraph<(TSourceMat Source, TCommitMat Committer)> Create<TAck, TSourceMat, TCommitMat>(
        Source<InboundRecord<TAck>, TSourceMat> source,
        IAccountScorer scorer,
        DetectorSinks<TAck> sinks,
        Sink<TAck, TCommitMat> committer,
        int parallelism,
        int batchSize = DefaultBatchSize)
    {
        var size = Math.Max(1, batchSize);
        return RunnableGraph.FromGraph(GraphDsl.Create(source, committer, (s, c) => (s, c), (builder, src, commit) =>
        {
            var partition = builder.Add(new Partition<(Outcome Outcome, IReadOnlyList<OutboundRecord<TAck>> Records)>(3, routed => (int)routed.Outcome));
            var merge = builder.Add(new Merge<IReadOnlyList<TAck>>(3));
            var records = Flow.Create<(Outcome Outcome, IReadOnlyList<OutboundRecord<TAck>> Records)>().Select(routed => routed.Records);

            builder.From(src)
                .Via(Group<InboundRecord<TAck>>(size))
                .Via(Parse<TAck>())
                .Via(Score<TAck>(scorer, Math.Max(1, parallelism / size)))
                .Via(Flow.Create<IReadOnlyList<ScoredRecord<TAck>>>().SelectMany(ByOutcome).Named("by-outcome"))
                .To(partition.In);
            builder.From(partition.Out((int)Outcome.Legit)).Via(records).Via(sinks.Legit).To(merge.In(0));
            builder.From(partition.Out((int)Outcome.Fraud)).Via(records).Via(sinks.Fraud).To(merge.In(1));
            builder.From(partition.Out((int)Outcome.DeadLetter)).Via(records).Via(sinks.DeadLetter).To(merge.In(2));
            builder.From(merge.Out).Via(Flow.Create<IReadOnlyList<TAck>>().SelectMany(acks => acks)).To(commit);
            return ClosedShape.Instance;
        }));
    }
}

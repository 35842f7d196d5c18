using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>The output side of the graph: one flow per outlet, each emitting the input's token once its record is acknowledged.</summary>
public sealed record DetectorSinks<TAck>(
    Flow<OutboundRecord<TAck>, TAck, NotUsed> Legit,
    Flow<OutboundRecord<TAck>, TAck, NotUsed> Fraud,
    Flow<OutboundRecord<TAck>, TAck, NotUsed> DeadLetter);

/// <summary>
/// source → parse → score (the account's actor) → Partition(legit | fraud | dead-letter) → writers → committer.
/// Built from named parts so that tests plug probes where production plugs Kafka. Every input produces exactly one
/// output, and its token reaches the committer only after that output is acknowledged.
/// </summary>
public static class DetectorGraph
{
    /// <summary>Parses each record; a record that cannot be scored becomes a dead letter here, nothing is dropped.</summary>
    public static Flow<InboundRecord<TAck>, (InboundRecord<TAck> Input, ParseResult Parsed), NotUsed> Parse<TAck>() =>
        Flow.Create<InboundRecord<TAck>>()
            .Select(input => (input, TransactionParser.Parse(input.Value, input.Origin)))
            .Named("parse");

    /// <summary>
    /// Scores through the account actors, at most <paramref name="parallelism"/> at once. Output order is input order,
    /// and one account's transactions reach its actor in that order, so each account is scored sequentially.
    /// A record whose partition has moved to another node since it was read is not scored here and leaves the
    /// stream: it is never acknowledged, so the new owner reads it again from the committed offset.
    /// </summary>
    public static Flow<(InboundRecord<TAck> Input, ParseResult Parsed), ScoredRecord<TAck>, NotUsed> Score<TAck>(IAccountScorer scorer, int parallelism) =>
        Flow.Create<(InboundRecord<TAck> Input, ParseResult Parsed)>()
            .SelectAsync(parallelism, async item =>
            {
                if (!item.Parsed.IsValid)
                {
                    return new Scored<TAck>(new ScoredRecord<TAck>(item.Input, Outcome.DeadLetter, null, null, item.Parsed.Reason, item.Parsed.Detail));
                }

                var verdict = await scorer.ScoreAsync(item.Parsed.Transaction!, item.Input.Origin).ConfigureAwait(false);
                return verdict is null
                    ? new Scored<TAck>(null)
                    : new Scored<TAck>(new ScoredRecord<TAck>(item.Input, verdict.IsFraud ? Outcome.Fraud : Outcome.Legit, item.Parsed.Transaction, verdict));
            })
            .Where(scored => scored.Record is not null)
            .Select(scored => scored.Record!)
            .Named("score");

    // Stream elements cannot be null: a scored record, or none when the partition moved away.
    private readonly record struct Scored<TAck>(ScoredRecord<TAck>? Record);

    /// <summary>The whole detector. Materializes the source's value and the committer's.</summary>
    public static IRunnableGraph<(TSourceMat Source, TCommitMat Committer)> Create<TAck, TSourceMat, TCommitMat>(
        Source<InboundRecord<TAck>, TSourceMat> source,
        IAccountScorer scorer,
        DetectorSinks<TAck> sinks,
        Sink<TAck, TCommitMat> committer,
        int parallelism)
    {
        return RunnableGraph.FromGraph(GraphDsl.Create(source, committer, (s, c) => (s, c), (builder, src, commit) =>
        {
            var partition = builder.Add(new Partition<ScoredRecord<TAck>>(3, scored => (int)scored.Outcome));
            var merge = builder.Add(new Merge<TAck>(3));
            var toOutbound = Flow.Create<ScoredRecord<TAck>>().Select(OutputRecords.ToOutbound);

            builder.From(src).Via(Parse<TAck>()).Via(Score<TAck>(scorer, parallelism)).To(partition.In);
            builder.From(partition.Out((int)Outcome.Legit)).Via(toOutbound).Via(sinks.Legit).To(merge.In(0));
            builder.From(partition.Out((int)Outcome.Fraud)).Via(toOutbound).Via(sinks.Fraud).To(merge.In(1));
            builder.From(partition.Out((int)Outcome.DeadLetter)).Via(toOutbound).Via(sinks.DeadLetter).To(merge.In(2));
            builder.From(merge.Out).To(commit);
            return ClosedShape.Instance;
        }));
    }
}

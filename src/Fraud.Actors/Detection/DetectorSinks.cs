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
    Flow<IReadOnlyList<OutboundRecord<TAck>>, IReadOnlyList<TAck>, NotUsed> DeadLetter,
    Flow<IReadOnlyList<OutboundRecord<TAck>>, IReadOnlyList<TAck>, NotUsed> Review);

using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fraud.Actors.Transactions;

/// <summary>
/// How a scored record's output can be made from its input's bytes (see <see cref="Detection.OutputRecords"/>): as they
/// came plus the verdict, plus the fields that were filled in, or written anew from the parsed transaction.
/// </summary>
[Flags]
public enum InputSplice
{
    /// <summary>The input object as it came, then the verdict.</summary>
    AsIs = 0,

    /// <summary>The id was missing: the fallback id (topic-partition-offset) is added.</summary>
    AddId = 1,

    /// <summary>The timestamp was missing: the record's timestamp is added.</summary>
    AddTimestamp = 2,

    /// <summary>
    /// Written anew from the parsed fields: a known field came twice (a reader downstream might take the other one than
    /// we scored), or the input has a <c>verdict</c> of its own.
    /// </summary>
    Rewrite = 4,
}

using Fraud.Host.Hosting;

namespace Fraud.Host.Rules;

/// <summary>
/// A change to the rule or list topics refused before anything is written, in one line: it does not compile, or names
/// a rule or list that is not there, or changes a version that is no longer the latest (<see cref="Kind"/>). A compiler's mistake behind it is its inner exception,
/// with its place in the rule's text. The CLI prints it; the admin API answers 400, 404 or 409.
/// </summary>
public sealed class CatalogRefusal(string message, Exception? cause = null, CatalogRefusal.Kinds kind = CatalogRefusal.Kinds.Invalid) : StartupException(message, cause)
{
    public enum Kinds
    {
        /// <summary>The change does not compile, or is not one a writer can make.</summary>
        Invalid,

        /// <summary>It names a rule or list that is not there.</summary>
        NotFound,

        /// <summary>It was made to a version of the rule that is no longer the latest.</summary>
        Conflict,
    }

    public Kinds Kind { get; } = kind;

    public static CatalogRefusal NoRule(string id, string topic) => new($"no rule '{id}' in {topic}", kind: Kinds.NotFound);

    public static CatalogRefusal NoList(string name, string topic) => new($"no list '{name}' in {topic}", kind: Kinds.NotFound);
}

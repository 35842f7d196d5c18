namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// Which input fields (<c>field("x")</c>) an account's history keeps of earlier transactions, one per slot, and from
/// which event time each slot holds that field on this node. A rule set changed live may start reading a field the
/// history did not keep, or put another field in a slot: what the slot holds from before is then not that field's, so
/// the rules read it as missing and their hits say the history is partial until their window has passed. Zero: since
/// this node started (the history it restored was kept under the same rule set).
/// </summary>
public sealed record FieldHistory(string? Field1, long Field1Since, string? Field2, long Field2Since)
{
    public static FieldHistory None { get; } = new(null, 0, null, 0);

    /// <summary>The slots of a rule set that reads <paramref name="names"/> of earlier transactions, after <paramref name="previous"/>'s.</summary>
    /// <param name="previous">The slots of the rule set this node ran before (null: none, at start).</param>
    /// <param name="keptFrom">The event time from which a slot that changes holds its new field.</param>
    public static FieldHistory After(FieldHistory? previous, IReadOnlyList<string> names, long keptFrom)
    {
        var (first, second) = (names.Count > 0 ? names[0] : null, names.Count > 1 ? names[1] : null);
        long Since(string? name, string? before, long beforeSince) =>
            name is null || previous is null ? 0 : name == before ? beforeSince : keptFrom;
        return new FieldHistory(first, Since(first, previous?.Field1, previous?.Field1Since ?? 0), second, Since(second, previous?.Field2, previous?.Field2Since ?? 0));
    }

    public long SinceOf(int slot) => slot == 0 ? Field1Since : Field2Since;

    public string? NameOf(int slot) => slot == 0 ? Field1 : Field2;
}

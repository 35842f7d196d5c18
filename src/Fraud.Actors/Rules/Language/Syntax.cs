namespace Fraud.Actors.Rules.Language;

/// <summary>What a rule does when its condition holds.</summary>
public enum RuleAction
{
    Allow,
    Review,
    Block,
}

/// <summary>A parsed rule file: its rules in file order.</summary>
public sealed record RuleFile(string Path, IReadOnlyList<RuleDefinition> Rules);

/// <summary>
/// Whether a rule decides: an active one does; a shadow one is evaluated and reported beside the verdict but changes
/// neither action nor score (how a new rule is tried on live traffic); a disabled one is kept and not evaluated.
/// </summary>
public enum RuleMode
{
    Active,
    Shadow,
    Disabled,
}

/// <summary>One rule as written: id, action, weight, mode, its version, its condition.</summary>
public sealed record RuleDefinition(string Id, RuleAction Action, double Weight, RuleMode Mode, int Version, Expr Condition, int Line)
{
    /// <summary>Evaluated (active or shadow).</summary>
    public bool Enabled => Mode != RuleMode.Disabled;
}

/// <summary>A node of a condition, with where it starts in the file.</summary>
public abstract record Expr(int Line, int Column);

public sealed record NumberLiteral(decimal Value, int Line, int Column) : Expr(Line, Column);

public sealed record StringLiteral(string Value, int Line, int Column) : Expr(Line, Column);

/// <summary>A transaction attribute by name (<c>amount</c>, <c>country</c>, <c>hour</c>, ...), or <c>field("x")</c>.</summary>
public sealed record Attribute(string Name, int Line, int Column, bool InputField = false) : Expr(Line, Column);

public sealed record Unary(string Op, Expr Operand, int Line, int Column) : Expr(Line, Column);

public sealed record Binary(string Op, Expr Left, Expr Right, int Line, int Column) : Expr(Line, Column);

/// <summary><c>x in (a, b, c)</c>, or with <see cref="Negated"/> <c>x not in (...)</c>.</summary>
public sealed record InSet(Expr Value, IReadOnlyList<Expr> Items, bool Negated, int Line, int Column) : Expr(Line, Column);

/// <summary><c>x in low..high</c>, both ends included; for <c>hour</c> a range may wrap (<c>22..3</c>).</summary>
public sealed record InRange(Expr Value, Expr Low, Expr High, bool Negated, int Line, int Column) : Expr(Line, Column);

/// <summary><c>x in @name</c>: membership in a named list.</summary>
public sealed record InList(Expr Value, string List, bool Negated, int Line, int Column) : Expr(Line, Column);

/// <summary>
/// A function: an aggregate over the account's earlier transactions (<c>count</c>, <c>sum</c>, <c>avg</c>,
/// <c>min</c>, <c>max</c>, <c>distinct</c>, <c>seen</c>) with its <see cref="Window"/> and optional
/// <see cref="Filter"/>, or a signal (<c>since_last</c>, <c>travel_speed</c>, <c>is_missing</c>).
/// </summary>
public sealed record Call(string Function, IReadOnlyList<Expr> Arguments, TimeSpan? Window, Expr? Filter, int Line, int Column)
    : Expr(Line, Column);

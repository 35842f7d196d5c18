namespace Fraud.Actors.Rules.Language;

/// <summary>A rule file that cannot be read: the message is the one line a user sees, <c>file:line:column: …</c>.</summary>
public sealed class RuleSyntaxException(string file, int line, int column, string problem)
    : Exception($"{file}:{line}:{column}: {problem}")
{
    public string File { get; } = file;

    public int Line { get; } = line;

    public int Column { get; } = column;

    public string Problem { get; } = problem;
}

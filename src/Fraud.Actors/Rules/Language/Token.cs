namespace Fraud.Actors.Rules.Language;

/// <summary>The kinds of token in a rule file.</summary>
public enum TokenKind
{
    Identifier,
    Number,
    Duration,
    String,
    ListName,
    Operator,
    End,
}

/// <summary>One token, with where it starts (1-based line and column) for error messages.</summary>
public readonly record struct Token(TokenKind Kind, string Text, int Line, int Column)
{
    public bool Is(string text) => Kind is TokenKind.Identifier or TokenKind.Operator && Text == text;

    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the file",
        TokenKind.String => $"\"{Text}\"",
        TokenKind.ListName => $"@{Text}",
        _ => $"'{Text}'",
    };
}

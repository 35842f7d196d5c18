namespace Fraud.Host.Reviews;

/// <summary>The review queue every node keeps for its dashboard (<c>Reviews:*</c>).</summary>
public sealed class ReviewSettings
{
    public const string SectionName = "Reviews";

    /// <summary>Whether the node follows the review and decision topics and serves the Reviews page.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How far back in the review topic a node starting up looks for reviews still open.</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Most reviews a node lists; beyond, they are counted as unlisted (the page says how many).</summary>
    public int MaxOpen { get; set; } = 50_000;
}

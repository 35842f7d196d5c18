namespace Fraud.Actors.State;

/// <summary>A checkpointed account state this code cannot read: the message says why, in one line.</summary>
public sealed class UnreadableStateException(string reason) : Exception(reason);

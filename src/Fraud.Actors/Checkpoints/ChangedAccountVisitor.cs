using System.Collections.Concurrent;

namespace Fraud.Actors.Checkpoints;

/// <summary>One changed account as a store reads it: its id as UTF-8 and its state as <see cref="AccountStateCodec"/>'s bytes.</summary>
public delegate void ChangedAccountVisitor(ReadOnlySpan<byte> accountUtf8, ReadOnlySpan<byte> state);

namespace Fraud.Actors.State;

/// <summary>
/// Detector nodes' names as numbers, for remembered verdicts (which are kept in blocks that may hold no reference, see
/// <see cref="BlockPool{T}"/>). A name is numbered once and kept for the process's life: names come from this node
/// and from the checkpoints of the nodes before it, a handful per deployment, never from input.
/// </summary>
internal static class NodeNames
{
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.Ordinal);
    private static string[] _names = [];

    public static int Number(string node)
    {
        var names = _names;
        for (var i = 0; i < names.Length; i++)
        {
            if (ReferenceEquals(names[i], node))
            {
                return i; // the usual case: this node's own name, the very string
            }
        }

        lock (Numbers)
        {
            if (!Numbers.TryGetValue(node, out var number))
            {
                number = Numbers.Count;
                Numbers[node] = number;
                _names = [.. _names, node];
            }

            return number;
        }
    }

    public static string Of(int number) => _names[number];
}

using Fraud.Actors.Rules;

namespace Fraud.Actors.State;

/// <summary>
/// Rule-set versions as numbers (0: none), for remembered verdicts, which may hold no reference and stay 16 bytes: a
/// version is numbered once and kept for the process's life, one per change of the rule topics (tens of bytes each).
/// </summary>
internal static class RuleSetNumbers
{
    private static readonly Dictionary<RuleSetVersion, int> Numbers = new();
    private static RuleSetVersion[] _versions = new RuleSetVersion[16];
    private static int _count = 1;

    // The version most verdicts carry, the current one, found without the lock (an object: a pair could be read torn).
    private static Numbered? _latest;

    public static int Number(RuleSetVersion? version)
    {
        if (version is not { } v)
        {
            return 0;
        }

        if (Volatile.Read(ref _latest) is { } latest && latest.Version == v)
        {
            return latest.Number;
        }

        lock (Numbers)
        {
            if (!Numbers.TryGetValue(v, out var number))
            {
                if (_count == _versions.Length)
                {
                    var grown = new RuleSetVersion[_versions.Length * 2];
                    _versions.CopyTo(grown, 0);
                    Volatile.Write(ref _versions, grown);
                }

                number = _count++;
                _versions[number] = v;
                Numbers[v] = number;
            }

            Volatile.Write(ref _latest, new Numbered(v, number));
            return number;
        }
    }

    // A number is handed out after its version is stored, in the array read here or in the one that replaced it.
    public static RuleSetVersion? Of(int number) => number == 0 ? null : Volatile.Read(ref _versions)[number];

    private sealed record Numbered(RuleSetVersion Version, int Number);
}

using System.Runtime.InteropServices;

namespace Fraud.Kafka.Native;

/// <summary>
/// Blocks the asynchronous signals on the calling thread for the life of the scope, so that native threads started
/// inside it inherit the mask. The mock cluster's thread ends for good on the first EINTR from poll(), and .NET
/// handles SIGCONT, SIGWINCH and SIGCHLD: without this, Ctrl+Z then fg, or a resized terminal, kills the broker.
/// </summary>
internal readonly struct SignalMask : IDisposable
{
    private const int Block = 0;
    private const int SetMask = 2;

    // Linux numbering; the synchronous ones (SIGILL, SIGBUS, SIGFPE, SIGSEGV) stay open, and so does the runtime's
    // real-time signal, which it sends to managed threads only.
    private static readonly int[] Asynchronous = [1, 2, 3, 10, 12, 13, 14, 15, 17, 18, 20, 21, 22, 23, 24, 26, 27, 28, 29, 30];

    private readonly byte[]? _previous;

    private SignalMask(byte[] previous) => _previous = previous;

    /// <summary>Blocks the signals on this thread until disposed; does nothing outside Linux.</summary>
    public static SignalMask BlockAsynchronous()
    {
        if (!OperatingSystem.IsLinux())
        {
            return default;
        }

        var set = new byte[SigsetBytes];
        var previous = new byte[SigsetBytes];
        _ = SigEmptySet(set);
        foreach (var signal in Asynchronous)
        {
            _ = SigAddSet(set, signal);
        }

        return PthreadSigmask(Block, set, previous) == 0 ? new SignalMask(previous) : default;
    }

    public void Dispose()
    {
        if (_previous is not null)
        {
            _ = PthreadSigmask(SetMask, _previous, null);
        }
    }

    // glibc's sigset_t is 1024 bits; musl's is smaller, so the larger size serves both.
    private const int SigsetBytes = 128;

    [DllImport("libc", EntryPoint = "sigemptyset")]
    private static extern int SigEmptySet(byte[] set);

    [DllImport("libc", EntryPoint = "sigaddset")]
    private static extern int SigAddSet(byte[] set, int signal);

    [DllImport("libc", EntryPoint = "pthread_sigmask")]
    private static extern int PthreadSigmask(int how, byte[] set, byte[]? previous);
}

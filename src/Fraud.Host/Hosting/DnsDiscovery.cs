using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Discovery;

namespace Fraud.Host.Hosting;

/// <summary>
/// <c>Cluster:Discovery=dns</c>: a service name resolved to every address it has, what Docker's embedded DNS answers
/// for a scaled compose service (and a headless Kubernetes service, and a hosts file with a name on several lines).
/// No port comes with an address: Cluster Bootstrap probes each at <c>Cluster:ManagementPort</c>.
/// </summary>
public sealed class DnsDiscovery : ServiceDiscovery
{
    // Akka makes a discovery method from configuration, with the actor system: this one needs nothing of it.
    public DnsDiscovery(ExtendedActorSystem system)
    {
    }

    public override async Task<Resolved> Lookup(Lookup lookup, TimeSpan resolveTimeout)
    {
        using var timeout = new CancellationTokenSource(resolveTimeout);
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(lookup.ServiceName, timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            addresses = []; // not (yet) in DNS: none found this time; bootstrap asks again
        }

        var targets = addresses.Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            .Distinct()
            .OrderBy(a => a.ToString(), StringComparer.Ordinal)
            .Select(a => new ResolvedTarget(a.ToString(), null, a));
        return new Resolved(lookup.ServiceName, targets);
    }
}

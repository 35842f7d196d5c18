using System.Diagnostics;

namespace Fraud.Host.Tests.MultiHost;

/// <summary>
/// Hosts of their own on this machine: a network namespace each, with one interface on a bridge (itself in a namespace
/// of its own) and an address of a /24 picked for the run; the test process reaches them through one more interface
/// on the bridge. A host's link can be cut and restored, as a cable or a switch port fails. Everything is removed on
/// dispose. Needs root and <c>ip</c> (iproute2); when they are missing, making the network fails with the reason.
/// </summary>
internal sealed class TestNetwork : IAsyncDisposable
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..4];
    private readonly List<NetHost> _hosts = [];
    private readonly string _switch;
    private readonly string _rootLink;

    private TestNetwork(int subnet)
    {
        Prefix = $"10.77.{subnet}";
        _switch = $"fr{_id}sw";
        _rootLink = $"fr{_id}r";
    }

    /// <summary>The first three octets of the run's addresses.</summary>
    public string Prefix { get; }

    public IReadOnlyList<NetHost> Hosts => _hosts;

    public static async Task<TestNetwork> CreateAsync()
    {
        Assert.True(Environment.UserName == "root", "the multi-host specs make network namespaces, which needs root (CI runs as root)");
        var network = new TestNetwork(Random.Shared.Next(1, 250));
        try
        {
            await IpAsync("netns", "add", network._switch);
            await IpAsync("-n", network._switch, "link", "add", "br0", "type", "bridge");
            await IpAsync("-n", network._switch, "link", "set", "br0", "up");
            // The test process's own leg: it reads the topics and the dashboards from here.
            await IpAsync("link", "add", network._rootLink, "type", "veth", "peer", "name", network._rootLink + "p");
            await IpAsync("link", "set", network._rootLink + "p", "netns", network._switch);
            await IpAsync("-n", network._switch, "link", "set", network._rootLink + "p", "master", "br0", "up");
            await IpAsync("addr", "add", $"{network.Prefix}.254/24", "dev", network._rootLink);
            await IpAsync("link", "set", network._rootLink, "up");
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>A host at <c>Prefix.octet</c>, its interface <c>eth0</c> on the bridge, loopback up.</summary>
    public async Task<NetHost> AddHostAsync(string role, int octet)
    {
        var host = new NetHost($"fr{_id}{role}", $"{Prefix}.{octet}", $"fr{_id}h{octet}");
        _hosts.Add(host);
        await IpAsync("netns", "add", host.Namespace);
        await IpAsync("link", "add", host.Link, "type", "veth", "peer", "name", host.Link + "p");
        await IpAsync("link", "set", host.Link + "p", "netns", host.Namespace);
        await IpAsync("-n", host.Namespace, "link", "set", host.Link + "p", "name", "eth0");
        await IpAsync("-n", host.Namespace, "addr", "add", $"{host.Address}/24", "dev", "eth0");
        await IpAsync("-n", host.Namespace, "link", "set", "eth0", "up");
        await IpAsync("-n", host.Namespace, "link", "set", "lo", "up");
        await IpAsync("link", "set", host.Link, "netns", _switch);
        await IpAsync("-n", _switch, "link", "set", host.Link, "master", "br0", "up");
        return host;
    }

    /// <summary>
    /// What each host's resolver answers (<c>ip netns exec</c> puts <c>/etc/netns/NAME/hosts</c> in place of
    /// <c>/etc/hosts</c>): <paramref name="name"/> as every address given, as Docker's DNS answers for a scaled service.
    /// Written in place, so processes already running read the new file at their next lookup.
    /// </summary>
    public void Resolve(string name, IEnumerable<NetHost> addresses)
    {
        var lines = string.Join('\n', ["127.0.0.1 localhost", .. addresses.Select(a => $"{a.Address} {name}")]) + "\n";
        foreach (var host in _hosts)
        {
            var folder = Path.Combine("/etc/netns", host.Namespace);
            Directory.CreateDirectory(folder);
            using var file = new FileStream(Path.Combine(folder, "hosts"), FileMode.OpenOrCreate, FileAccess.Write);
            file.SetLength(0);
            file.Write(System.Text.Encoding.ASCII.GetBytes(lines));
        }
    }

    /// <summary>The host's link down (<paramref name="up"/> false) or up again: its cable pulled, or put back.</summary>
    public Task LinkAsync(NetHost host, bool up) => IpAsync("-n", _switch, "link", "set", host.Link, up ? "up" : "down");

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await IpAsync(false, "netns", "del", host.Namespace);
            var folder = Path.Combine("/etc/netns", host.Namespace);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        await IpAsync(false, "link", "del", _rootLink);
        await IpAsync(false, "netns", "del", _switch);
    }

    private static Task IpAsync(params string[] args) => IpAsync(true, args);

    private static async Task IpAsync(bool check, params string[] args)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"network namespaces cannot be made here: 'ip' (iproute2) is missing ({e.Message})");
            return;
        }

        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (check)
        {
            Assert.True(process.ExitCode == 0, $"network namespaces cannot be made here: ip {string.Join(' ', args)}: {error.Trim()}");
        }
    }
}

/// <summary>One host of a <see cref="TestNetwork"/>: its namespace, its address, and its leg on the bridge.</summary>
internal sealed record NetHost(string Namespace, string Address, string Link);

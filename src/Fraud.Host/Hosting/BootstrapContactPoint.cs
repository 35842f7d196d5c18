using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json;
using ClusterSettings = Fraud.Host.Configuration.ClusterSettings;

namespace Fraud.Host.Hosting;

/// <summary>
/// What another node's Cluster Bootstrap asks this one while the cluster forms: <c>GET /bootstrap/seed-nodes</c> on
/// <c>Cluster:ManagementPort</c>, answered with this node's address and its reachable members, in the JSON that
/// Akka.Management's probe reads (its own types, through the serializer it reads them with). Nothing else is served
/// on that port, and it needs no token: it tells only what any member of the cluster can see.
/// </summary>
public static class BootstrapContactPoint
{
    public const string Path = "/bootstrap/seed-nodes";

    // As many members as Akka.Management exposes by default: enough to join through.
    private const int MaxSeedNodes = 5;

    public static WebApplication MapBootstrapContactPoint(this WebApplication app, ClusterSettings cluster)
    {
        if (!cluster.UsesBootstrap)
        {
            return app;
        }

        var system = app.Services.GetRequiredService<ActorSystem>();
        app.Use(async (http, next) =>
        {
            if (http.Connection.LocalPort != cluster.ManagementPort)
            {
                await next(http);
                return;
            }

            if (!HttpMethods.IsGet(http.Request.Method) || http.Request.Path != Path)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(SeedNodes(Cluster.Get(system)));
        });
        return app;
    }

    /// <summary>This node's address, and the members another node may join through (up, or on their way, and reachable).</summary>
    public static string SeedNodes(Cluster cluster)
    {
        var state = cluster.State;
        var members = state.Members
            .Where(m => !state.Unreachable.Contains(m) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
            .Take(MaxSeedNodes)
            .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
            .ToImmutableList();
        return JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(cluster.SelfAddress, members));
    }
}

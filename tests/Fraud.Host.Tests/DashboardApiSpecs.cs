using System.Net;
using System.Text.Json;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using Fraud.Host.Configuration;
using Fraud.Host.Dashboard;
using Fraud.Host.Detection;
using Fraud.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fraud.Host.Tests;

/// <summary>
/// The web endpoints in this process, over HTTP on loopback: closed with a token, open without one, bounded answers,
/// pages that cover the list once, security headers on every answer.
/// </summary>
public sealed class DashboardApiSpecs
{
    private const string Token = "spec-token-0123456789abcdef";

    private static async Task<(WebApplication App, string Url, DetectorStats Stats)> StartAsync(Action<DashboardSettings>? configure = null)
    {
        var settings = new FraudSettings();
        settings.Dashboard.Urls = "http://127.0.0.1:0";
        configure?.Invoke(settings.Dashboard);
        var stats = new DetectorStats(recentVerdicts: settings.Dashboard.RecentVerdicts);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.WebHost.UseUrls(settings.Dashboard.Urls);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new NodeRuntime(settings, stats, new LiveFeed(stats, 10)));
        var app = builder.Build();
        app.MapDashboard();
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, url, stats);
    }

    private static void Flag(DetectorStats stats, int i, string account, int sourceLength = 0)
    {
        var tx = new Transaction($"tx-{i}", account + new string('s', sourceLength), "MER", 950m + i, "EUR", DateTimeOffset.UtcNow, "fuel", "DE", "dev");
        var verdict = new Verdict(0.9, [new RuleHit(LargeAmountRule.Id, tx.Amount, 900m, null)], DateTimeOffset.UtcNow, "n");
        var flagged = new FlaggedTransaction(tx, verdict, 3);
        stats.Record(new OutputSummary(Outcome.Fraud, tx.Timestamp, verdict.Rules, flagged, null, null));
    }

    private static HttpClient Client(string? bearer = null, bool follow = false)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = follow, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(10) };
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        return http;
    }

    [Theory]
    [InlineData("/api/verdicts")]
    [InlineData("/api/history")]
    [InlineData("/api/cluster")]
    [InlineData("/api/accounts?id=a")]
    [InlineData("/api/stream")]
    [InlineData("/metrics")]
    [InlineData("/index.html")]
    [InlineData("/dashboard.js")]
    public async Task Should_refuse_every_endpoint_without_the_token(string path)
    {
        var (app, url, _) = await StartAsync(d => d.Token = Token);
        await using var _app = app;
        using var anonymous = Client();
        using var wrong = Client("not-the-token-at-all-0000");

        var refused = await anonymous.GetAsync(url + path);
        Assert.Equal(path == "/index.html" ? HttpStatusCode.Redirect : HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await wrong.GetAsync(url + path)).StatusCode);
        Assert.Equal("nosniff", refused.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Should_serve_with_the_token_and_keep_health_open()
    {
        var (app, url, stats) = await StartAsync(d => d.Token = Token);
        await using var _app = app;
        Flag(stats, 1, "ACC-1");
        using var anonymous = Client();
        using var bearer = Client(Token);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url + "/healthz")).StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url + "/ready")).StatusCode);
        var page = await anonymous.GetAsync(url + "/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login", page.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url + "/login")).StatusCode);

        var verdicts = await bearer.GetAsync(url + "/api/verdicts");
        Assert.Equal(HttpStatusCode.OK, verdicts.StatusCode);
        Assert.Contains("ACC-1", await verdicts.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync(url + "/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync(url + "/")).StatusCode);
        var headers = verdicts.Headers;
        Assert.StartsWith("default-src 'self'", headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Should_refuse_changes_to_rules_and_lists_when_no_token_is_set()
    {
        var (app, url, _) = await StartAsync();
        await using var _app = app;
        using var http = Client();
        var json = () => new StringContent("""{"rule":"rule x: block\n  when amount > 1"}""", System.Text.Encoding.UTF8, "application/json");

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/api/rules")).StatusCode); // reading stays open on loopback
        var put = await http.PutAsync(url + "/api/rules/x", json());
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Contains("Dashboard__AdminToken", await put.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await http.DeleteAsync(url + "/api/rules/x")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PutAsync(url + "/api/lists/x", json())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.DeleteAsync(url + "/api/lists/x")).StatusCode);
    }

    [Fact]
    public async Task Should_take_changes_only_from_the_admin_token_when_one_is_set()
    {
        var (app, url, _) = await StartAsync(d => (d.Token, d.AdminToken) = (Token, Token + "-admin"));
        await using var _app = app;
        using var reader = Client(Token);
        using var admin = Client(Token + "-admin");
        using var session = Client();

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(url + "/api/verdicts")).StatusCode); // the admin token reads too
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync(url + "/api/rules/x")).StatusCode);
        // Past the token, this node's rules come from no topic: the change is refused for that, not for the token.
        var change = await admin.DeleteAsync(url + "/api/rules/x");
        Assert.Equal(HttpStatusCode.Conflict, change.StatusCode);
        Assert.Contains("Fraud:Rules:Source=file", await change.Content.ReadAsStringAsync());

        // A session opened with the admin token may change rules; one opened with the read token may not.
        foreach (var (token, expected) in new[] { (Token, HttpStatusCode.Forbidden), (Token + "-admin", HttpStatusCode.Conflict) })
        {
            var login = await session.PostAsync(url + "/login", new FormUrlEncodedContent([new("token", token)]));
            var cookie = login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
            using var request = new HttpRequestMessage(HttpMethod.Delete, url + "/api/rules/x");
            request.Headers.Add("Cookie", cookie);
            Assert.Equal(expected, (await session.SendAsync(request)).StatusCode);
        }
    }

    [Fact]
    public async Task Should_log_in_with_the_form_into_an_http_only_cookie()
    {
        var (app, url, _) = await StartAsync(d => d.Token = Token);
        await using var _app = app;
        using var http = Client();

        var failed = await http.PostAsync(url + "/login", new FormUrlEncodedContent([new("token", "wrong-wrong-wrong-wrong")]));
        Assert.Equal("/login?failed", failed.Headers.Location!.OriginalString);
        Assert.False(failed.Headers.Contains("Set-Cookie"));

        var login = await http.PostAsync(url + "/login", new FormUrlEncodedContent([new("token", Token)]));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Token, cookie);

        var request = new HttpRequestMessage(HttpMethod.Get, url + "/api/history");
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Should_open_metrics_alone_when_asked()
    {
        var (app, url, _) = await StartAsync(d => { d.Token = Token; d.MetricsAnonymous = true; });
        await using var _app = app;
        using var anonymous = Client();

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url + "/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url + "/api/verdicts")).StatusCode);
    }

    [Fact]
    public async Task Should_page_through_the_verdicts_within_the_byte_cap_and_cover_each_once()
    {
        var (app, url, stats) = await StartAsync(d => d.MaxResponseBytes = 64 * 1024);
        await using var _app = app;
        for (var i = 0; i < 300; i++)
        {
            Flag(stats, i, $"ACC-{i}-", sourceLength: 2_000);
        }

        using var http = Client();
        var seen = new List<string>();
        string? before = null;
        var pages = 0;
        do
        {
            var body = await http.GetByteArrayAsync(url + "/api/verdicts?limit=1000" + (before is null ? "" : "&before=" + before));
            Assert.True(body.Length <= 64 * 1024, $"{body.Length} bytes");
            using var json = JsonDocument.Parse(body);
            seen.AddRange(json.RootElement.GetProperty("verdicts").EnumerateArray().Select(v => v.GetProperty("transactionId").GetString()!));
            before = json.RootElement.GetProperty("next").ValueKind == JsonValueKind.Null ? null : json.RootElement.GetProperty("next").GetInt64().ToString();
            pages++;
        }
        while (before is not null && pages < 100);

        Assert.True(pages > 1);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(stats.RecentFraud().Count(), seen.Count);
        Assert.Equal("tx-299", seen[0]);
    }

    [Fact]
    public async Task Should_open_an_account_whatever_characters_its_id_holds()
    {
        var (app, url, stats) = await StartAsync();
        await using var _app = app;
        const string id = "ACC/with space?&=#%é";
        Flag(stats, 1, id);
        using var http = Client();

        var body = await http.GetStringAsync(url + "/api/accounts?id=" + Uri.EscapeDataString(id));
        using var json = JsonDocument.Parse(body);
        Assert.Equal(id, json.RootElement.GetProperty("account").GetString());
        Assert.Equal("tx-1", json.RootElement.GetProperty("verdicts")[0].GetProperty("transactionId").GetString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://[::1]:8080", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://10.0.0.5:8080", false)]
    [InlineData("http://detector:8080", false)]
    public void Should_tell_loopback_addresses_from_the_rest(string url, bool loopback)
    {
        Assert.Equal(loopback, DashboardSecurity.IsLoopback(url));
        var problem = DashboardSecurity.Problem(new DashboardSettings { Urls = url });
        Assert.Equal(loopback, problem is null);
        Assert.Null(DashboardSecurity.Problem(new DashboardSettings { Urls = url, Token = Token }));
        Assert.Null(DashboardSecurity.Problem(new DashboardSettings { Urls = url, AllowAnonymous = true }));
        Assert.NotNull(DashboardSecurity.Problem(new DashboardSettings { Urls = url, Token = "short" }));
    }
}

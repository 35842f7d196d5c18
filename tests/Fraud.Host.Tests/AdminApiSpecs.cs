using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Fraud.Host.Tests;

/// <summary>
/// The admin API of a running <c>fraud detect</c> on a broker process: rules and lists changed over HTTP land in the
/// rule topics and come back as the node's new rule set; a change needs the admin token (refused without it, refused
/// with the read-only token), a JSON body, text that compiles and the version it edited.
/// </summary>
public sealed class AdminApiSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private const string ReadToken = "admin-spec-read-token-0123456789";
    private const string AdminToken = "admin-spec-admin-token-0123456789";

    private const string Rules = """
        rule big: block weight 0.9
          when amount >= 900

        rule watched: review weight 0.5
          when source in @watched
        """;

    [Fact]
    public async Task Should_change_rules_and_lists_through_the_topics_with_the_admin_token_only()
    {
        var folder = Directory.CreateTempSubdirectory("fraud-admin-").FullName;
        File.WriteAllText(Path.Combine(folder, "admin.rules"), Rules);
        File.WriteAllText(Path.Combine(folder, "watched.list"), "ACC-W\n");
        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        await broker.WaitForLineAsync("broker: listening on", Patience);
        await using var node = FraudProcess.Start("fraud.dll", ["detect"], new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = $"127.0.0.1:{port}",
            ["Cluster__Port"] = FraudProcess.FreePort().ToString(),
            ["Fraud__Rules__File"] = Path.Combine(folder, "admin.rules"),
            ["Dashboard__Token"] = ReadToken,
            ["Dashboard__AdminToken"] = AdminToken,
        });
        var url = await node.DashboardUrlAsync(Patience);
        await node.WaitForLineAsync("detector started", Patience);
        using var anonymous = Client(null);
        using var reader = Client(ReadToken);
        using var admin = Client(AdminToken);

        // Read with either token; the seeded rules, at version 1.
        var before = await JsonAsync(await reader.GetAsync(url + "/api/rules"));
        Assert.Equal("topics", before.GetProperty("source").GetString());
        Assert.Equal(["big", "watched"], before.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
        var running = before.GetProperty("running").GetString()!;
        Assert.Equal(1, (await JsonAsync(await admin.GetAsync(url + "/api/rules/big"))).GetProperty("version").GetInt32());

        // A change: refused without a token, refused with the read token, and nothing written by either.
        var lowered = Body(new { rule = "rule big: block weight 0.9\n  when amount >= 400", version = 1, by = "analyst" });
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsync(url + "/api/rules/big", lowered())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsync(url + "/api/rules/big", lowered())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync(url + "/api/rules/watched")).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType,
            (await admin.PutAsync(url + "/api/rules/big", new StringContent("rule big: block\n  when amount >= 1", Encoding.UTF8, "text/plain"))).StatusCode);
        Assert.Equal(1, (await JsonAsync(await admin.GetAsync(url + "/api/rules/big"))).GetProperty("version").GetInt32());

        // Accepted with the admin token: written to the topic, and the node runs the new version soon after.
        var put = await admin.PutAsync(url + "/api/rules/big", lowered());
        var changed = await JsonAsync(put);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Contains("rule big: changed, version 2, active", changed.GetProperty("changes").EnumerateArray().Select(c => c.GetString()));
        var ruleSet = changed.GetProperty("ruleSet").GetString()!;
        Assert.NotEqual(running, ruleSet);
        await UntilAsync(async () => (await JsonAsync(await reader.GetAsync(url + "/api/rules"))).GetProperty("running").GetString() == ruleSet, "the node runs the new rule set");
        var big = await JsonAsync(await reader.GetAsync(url + "/api/rules/big"));
        Assert.Equal((2, "analyst"), (big.GetProperty("version").GetInt32(), big.GetProperty("by").GetString()));
        Assert.Contains("amount >= 400", big.GetProperty("text").GetString());

        // The same edit again, made to version 1: someone changed the rule meanwhile.
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PutAsync(url + "/api/rules/big", lowered())).StatusCode);

        // A rule that does not compile: refused with its place in the text, nothing written; the editor's check says the same.
        var broken = await admin.PutAsync(url + "/api/rules/big", Body(new { rule = "rule big: block\n  when amount >>> 400" })());
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        var mistake = await JsonAsync(broken);
        Assert.Equal(2, mistake.GetProperty("line").GetInt32());
        Assert.StartsWith("refused, nothing written: fraud.rules/big:2:", mistake.GetProperty("error").GetString());
        var check = await JsonAsync(await reader.PostAsync(url + "/api/rules/big/check", Body(new { rule = "rule big: block\n  when amount >>> 400" })()));
        Assert.False(check.GetProperty("ok").GetBoolean());
        Assert.Equal(2, check.GetProperty("line").GetInt32());
        Assert.True((await JsonAsync(await reader.PostAsync(url + "/api/rules/big/check", Body(new { rule = "rule big: block\n  when amount > 1" })()))).GetProperty("ok").GetBoolean());
        Assert.Equal(2, (await JsonAsync(await admin.GetAsync(url + "/api/rules/big"))).GetProperty("version").GetInt32());

        // Lists: items added with a reason and an expiry, one removed; a list an active rule reads cannot be deleted.
        var added = await admin.PutAsync(url + "/api/lists/watched", Body(new { items = new[] { "ACC-X", "ACC-Y" }, expires = "30d", reason = "chargebacks" })());
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        await UntilAsync(async () => (await JsonAsync(await reader.GetAsync(url + "/api/lists/watched"))).GetProperty("count").GetInt32() == 3, "the list holds the new items");
        var items = (await JsonAsync(await reader.GetAsync(url + "/api/lists/watched"))).GetProperty("items").EnumerateArray().ToList();
        var x = items.Single(i => i.GetProperty("item").GetString() == "ACC-X");
        Assert.Equal("chargebacks", x.GetProperty("reason").GetString());
        Assert.True(x.GetProperty("expires").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(29));
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync(url + "/api/lists/watched?item=ACC-Y")).StatusCode);
        await UntilAsync(async () => (await JsonAsync(await reader.GetAsync(url + "/api/lists/watched"))).GetProperty("count").GetInt32() == 2, "the item removed");
        var kept = await admin.DeleteAsync(url + "/api/lists/watched");
        Assert.Equal(HttpStatusCode.BadRequest, kept.StatusCode);
        Assert.Contains("@watched", (await JsonAsync(kept)).GetProperty("error").GetString());

        // A rule deleted; then the list no rule reads any more can go too.
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync(url + "/api/rules/watched")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync(url + "/api/rules/watched")).StatusCode);
        await UntilAsync(async () => (await reader.GetAsync(url + "/api/rules/watched")).StatusCode == HttpStatusCode.NotFound, "the rule gone from the node");
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync(url + "/api/lists/watched")).StatusCode);
        Assert.False(node.HasExited, node.Stderr);
    }

    private static HttpClient Client(string? bearer)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return http;
    }

    // A fresh content each time: one is spent once sent.
    private static Func<HttpContent> Body(object value) => () => new StringContent(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 10 s: {what}");
            await Task.Delay(100);
        }
    }
}

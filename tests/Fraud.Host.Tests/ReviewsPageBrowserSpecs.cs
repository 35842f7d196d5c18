using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Fraud.Host.Tests;

/// <summary>
/// The review queue end to end, in a real browser against a running <c>fraud demo</c>: a review rule routes records to
/// the review topic; the Reviews page lists them oldest first; "Mark fraud" with a list writes the decision to
/// <c>fraud.decisions</c> and adds the account to the list; the review leaves the queue; a second decision on it is
/// refused; and a backtest with <c>--labels decisions</c> counts the decision. Saves <c>docs/reviews-page.png</c>.
/// </summary>
public sealed class ReviewsPageBrowserSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private const string Token = "reviews-page-spec-token-0123456789";

    // Clean traffic pays 1.00–450: a few in a hundred are 300 or more and go to review.
    private const string Rules = """
        rule large-amount: block weight 0.9
          when amount >= 900

        rule watch-big: review weight 0.5
          when amount >= 300
        """;

    [Fact]
    public async Task Should_list_reviews_and_turn_an_analysts_decision_into_a_label_and_a_list_item()
    {
        var folder = Directory.CreateTempSubdirectory("fraud-reviews-").FullName;
        File.WriteAllText(Path.Combine(folder, "reviews.rules"), Rules);
        var port = FraudProcess.FreePort();
        var bootstrap = $"127.0.0.1:{port}";
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        await broker.WaitForLineAsync("broker: listening on", Patience);
        await using var demo = FraudProcess.Start("fraud.dll", ["demo", "--duration", "150", "--rate", "200", "--seed", "8", "--traffic", "clean"],
            new Dictionary<string, string>
            {
                ["Kafka__BootstrapServers"] = bootstrap, ["Kafka__Consumer__fetch.wait.max.ms"] = "10", ["Dashboard__Token"] = Token,
                ["Fraud__Rules__File"] = Path.Combine(folder, "reviews.rules"),
            });
        var url = await demo.DashboardUrlAsync(Patience);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var errors = new List<string>();
        var page = await Chromium.PageAsync(browser, errors);
        await page.GotoAsync(url);
        await Chromium.LogInAsync(page, Token);
        await page.Locator("#total-in").WaitForAsync();
        await page.ClickAsync("#nav-reviews");

        // Reviews arrive, oldest first, each sent by the review rule.
        await WaitForAsync(page, async () => await page.Locator("#reviews tbody tr").CountAsync() >= 3 ? true : (bool?)null);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var queue = await JsonAsync(await http.GetAsync(url + "/api/reviews"));
        var queued = queue.GetProperty("reviews").EnumerateArray().Select(r => r.GetProperty("queuedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(queued.Order(), queued);
        Assert.All(queue.GetProperty("reviews").EnumerateArray(), r => Assert.Equal("review", r.GetProperty("output").GetProperty("verdict").GetProperty("action").GetString()));

        // The oldest opened: why it is here, and what the account did before.
        var first = page.Locator("#reviews tbody tr").First;
        var transaction = (await first.GetAttributeAsync("data-transaction"))!;
        var account = (await first.Locator("td:nth-child(2)").TextContentAsync())!.Trim();
        await first.Locator("td .link").ClickAsync();
        await WaitForAsync(page, async () => (await page.TextContentAsync("#review-why"))!.Contains("watch-big (version 1): amount = ") ? true : (bool?)null);
        await WaitForAsync(page, async () => (await page.TextContentAsync("#review-history"))!.StartsWith("its windows hold") ? true : (bool?)null);

        // Marked fraud, its account added to a list: the decision and the list item are written, and the review leaves.
        await page.FillAsync("#decision-reason", "cardholder denies it");
        await page.FillAsync("#decision-by", "browser-spec");
        await page.FillAsync("#decision-list", "blocked_accounts");
        await page.SelectOptionAsync("#decision-item", "account");
        await page.ClickAsync("#decide-fraud");
        await WaitForAsync(page, async () => (await page.TextContentAsync("#decision-result"))!.Contains($"review {transaction}: fraud by browser-spec") ? true : (bool?)null);
        Assert.Contains($"list blocked_accounts: + {account}", await page.TextContentAsync("#decision-result"));
        await WaitForAsync(page, async () => await page.Locator($"#reviews tbody tr[data-transaction='{transaction}']").CountAsync() == 0 ? true : (bool?)null);
        await WaitForAsync(page, async () => (await page.TextContentAsync("#rule-decisions"))!.Contains("watch-big") ? true : (bool?)null);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(FraudProcess.RepositoryRoot(), "docs", "reviews-page.png"), FullPage = true });

        var list = await JsonAsync(await http.GetAsync(url + "/api/lists/blocked_accounts"));
        Assert.Contains(account, list.GetRawText());
        var again = await http.PostAsync(url + $"/api/reviews/{transaction}", Json(new { decision = "legit" }));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var other = queue.GetProperty("reviews")[1].GetProperty("transactionId").GetString();
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync(url + $"/api/reviews/{other}", Json(new { decision = "maybe" }))).StatusCode);
        using (var anonymous = new HttpClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(url + $"/api/reviews/{other}", Json(new { decision = "fraud" }))).StatusCode);
        }

        // The gauges follow the queue once a second.
        await WaitForAsync(page, async () => (await http.GetStringAsync(url + "/metrics")).Contains("fraud_rule_live_precision{rule=\"watch-big\"} 1") ? true : (bool?)null);

        // The decision is in the compacted topic, keyed by the transaction, and a backtest takes it as a label.
        var decisions = KafkaTopics.ReadAll(bootstrap, "fraud.decisions", TimeSpan.FromSeconds(30));
        var record = Assert.Single(decisions);
        Assert.Equal(transaction, Encoding.UTF8.GetString(record.Message.Key!));
        using var value = JsonDocument.Parse(record.Message.Value!);
        Assert.Equal(("fraud", "browser-spec", account), (value.RootElement.GetProperty("decision").GetString(), value.RootElement.GetProperty("analyst").GetString(),
            value.RootElement.GetProperty("account").GetString()));
        var backtest = await FraudProcess.RunAsync("fraud.dll", ["rules", "backtest", "--candidate", "live", "--baseline", "none",
            "--topic", "queueing.transactions", "--from-beginning", "--labels", "decisions", "--bootstrap", bootstrap], Patience);
        Assert.True(backtest.ExitCode == 0, backtest.Stdout + backtest.Stderr);
        var closing = JsonDocument.Parse(backtest.Stdout.Split('\n').Last(l => l.StartsWith("backtest: ", StringComparison.Ordinal))["backtest: ".Length..]).RootElement;
        Assert.Equal("decisions", closing.GetProperty("labels").GetString());
        var totals = closing.GetProperty("result").GetProperty("candidate");
        Assert.Equal((1, 0, 0), (totals.GetProperty("truePositives").GetInt32(), totals.GetProperty("falsePositives").GetInt32(), totals.GetProperty("falseNegatives").GetInt32()));
        Assert.True(errors.Count == 0, string.Join(" | ", errors));

        // A node started now builds the same queue from the topics: every review written, less the one decided.
        var written = KafkaTopics.ReadAll(bootstrap, "streaming.transactions.review", TimeSpan.FromSeconds(30))
            .Select(r => JsonDocument.Parse(r.Message.Value!).RootElement.GetProperty("transactionId").GetString()!).ToHashSet();
        Assert.Contains(transaction, written);
        await using var later = FraudProcess.Start("fraud.dll", ["detect"], new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = bootstrap, ["Cluster__Port"] = FraudProcess.FreePort().ToString(), ["Dashboard__Token"] = Token,
            ["Fraud__Rules__File"] = Path.Combine(folder, "reviews.rules"), ["Reviews__MaxOpen"] = "100000",
        });
        var laterUrl = await later.DashboardUrlAsync(Patience);
        await later.WaitForLineAsync("detector started", Patience);
        var rebuilt = await WaitForAsync(page, async () =>
            await JsonAsync(await http.GetAsync(laterUrl + "/api/reviews?limit=200")) is var q && q.GetProperty("caughtUp").GetBoolean() ? q : (JsonElement?)null);
        Assert.True(rebuilt.GetProperty("open").GetInt32() >= written.Count - 1, rebuilt.GetRawText()[..200]);
        Assert.Equal(1, rebuilt.GetProperty("decided").GetInt32());
        Assert.DoesNotContain(transaction, rebuilt.GetProperty("reviews").EnumerateArray().Select(r => r.GetProperty("transactionId").GetString()));
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static Task<T> WaitForAsync<T>(IPage page, Func<Task<T?>> probe) where T : struct => Chromium.WaitForAsync(page, Patience, probe);
}

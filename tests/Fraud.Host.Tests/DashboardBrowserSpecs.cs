using Microsoft.Playwright;

namespace Fraud.Host.Tests;

/// <summary>
/// The dashboard as a person sees it, in a real browser (Debian's Chromium driven by Playwright) against a running
/// <c>fraud demo</c> that has a token: the page asks to log in, then throughput rises, fraud verdicts appear with their
/// rules, the rule filter works, an account opens on click, whatever its id holds. Under the node's content security
/// policy, as users get it. Saves <c>docs/dashboard.png</c>, the README's picture.
/// </summary>
public sealed class DashboardBrowserSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly string[] RuleIds = ["large-amount", "velocity-count", "velocity-amount", "small-then-large", "impossible-travel"];

    [Fact]
    public async Task Should_show_live_throughput_and_fraud_verdicts_with_their_rules()
    {
        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        await broker.WaitForLineAsync("broker: listening on", Patience);
        var bootstrap = $"127.0.0.1:{port}";
        // An account whose id a path would split or a query would cut, flagged before the demo's traffic.
        const string oddAccount = "ACC/odd id?&=#%é";
        ProduceFlagged(bootstrap, oddAccount);
        await using var demo = FraudProcess.Start("fraud.dll", ["demo", "--duration", "60", "--rate", "600", "--seed", "11"],
            new Dictionary<string, string> { ["Kafka__BootstrapServers"] = bootstrap, ["Kafka__Consumer__fetch.wait.max.ms"] = "10", ["Dashboard__Token"] = Token });
        var url = await demo.DashboardUrlAsync(Patience);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var errors = new List<string>();
        var page = await Chromium.PageAsync(browser, errors);

        // Closed: the page asks for the token first.
        await page.GotoAsync(url);
        Assert.EndsWith("/login", page.Url);
        await Chromium.LogInAsync(page, "not-the-token-0000000");
        await page.Locator("#login-error").WaitForAsync();
        await Chromium.LogInAsync(page, Token);
        await page.Locator("#total-in").WaitForAsync();
        Assert.Equal(url.TrimEnd('/') + "/", page.Url);

        // The live numbers rise.
        var first = await WaitForAsync(page, async () => await TotalInAsync(page) is var n && n > 0 ? n : (long?)null);
        await WaitForAsync(page, async () => await TotalInAsync(page) > first ? true : (bool?)null);
        await WaitForAsync(page, async () => double.Parse(await page.TextContentAsync("#rate-in") ?? "0", System.Globalization.CultureInfo.InvariantCulture) > 0 ? true : (bool?)null);

        // A fraud verdict appears with the rule that flagged it, its observed value and limit.
        var row = page.Locator("#verdicts tbody tr").First;
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)Patience.TotalMilliseconds });
        var rule = await row.Locator(".rule b").First.TextContentAsync();
        Assert.Contains(rule, RuleIds);
        Assert.Matches(@"\d+(\.\d+)? / \d+", await row.Locator(".rule i").First.TextContentAsync() ?? "");

        // The rule filter keeps only verdicts of that rule.
        await page.Locator($"#rule-filter option[value='{rule}']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#rule-filter", rule!);
        await WaitForAsync(page, async () =>
        {
            var rulesPerRow = await page.Locator("#verdicts tbody tr").EvaluateAllAsync<string[][]>(
                "rows => rows.map(r => [...r.querySelectorAll('.rule')].map(e => e.dataset.rule))");
            return rulesPerRow.Length > 0 && rulesPerRow.All(rules => rules.Contains(rule)) ? true : (bool?)null;
        });

        // An account opens on click, with its fraud verdicts and what its actor's windows hold.
        var account = page.Locator("#verdicts tbody tr td.account span").First;
        var accountId = await account.TextContentAsync();
        await account.ClickAsync();
        await page.Locator("#account-title").WaitForAsync();
        Assert.StartsWith(accountId!, await page.TextContentAsync("#account-title"));
        Assert.True(await page.Locator("#account-verdicts tbody tr").CountAsync() > 0);
        var held = await page.TextContentAsync("#account-window");
        Assert.Contains("its windows hold", held);
        Assert.Matches(@"\d [A-Z]{3}( in [A-Z]{2})?(, |$)", held); // each entry's currency, and its country after "in": not "854.33 GB"

        // An account with any characters opens too.
        await page.SelectOptionAsync("#rule-filter", "");
        await page.FillAsync("#account-filter", oddAccount);
        var odd = page.Locator("#verdicts tbody tr td.account span", new PageLocatorOptions { HasText = oddAccount }).First;
        await odd.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)Patience.TotalMilliseconds });
        await odd.ClickAsync();
        await WaitForAsync(page, async () => (await page.TextContentAsync("#account-title"))?.StartsWith(oddAccount + " (partition") == true ? true : (bool?)null);
        await page.FillAsync("#account-filter", "");

        // The cluster table lists this node with its partitions.
        await WaitForAsync(page, async () => (await page.TextContentAsync("#cluster tbody"))?.Contains("(this)") == true ? true : (bool?)null);

        // Let the charts gather some seconds of history for the README's picture.
        await WaitForAsync(page, async () => await TotalInAsync(page) > first + 8000 ? true : (bool?)null);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(FraudProcess.RepositoryRoot(), "docs", "dashboard.png"), FullPage = true });
        Assert.True(errors.Count == 0, string.Join(" | ", errors));
    }

    private const string Token = "browser-spec-token-0123456789";

    private static void ProduceFlagged(string bootstrap, string account)
    {
        Fraud.Kafka.Native.Librdkafka.EnsureLoaded();
        using var producer = new Confluent.Kafka.ProducerBuilder<byte[]?, byte[]?>(new Confluent.Kafka.ProducerConfig { BootstrapServers = bootstrap }).Build();
        var json = System.Text.Json.JsonSerializer.Serialize(new { transactionId = "odd-1", source = account, target = "MER", amount = 4000, currency = "EUR", country = "DE" });
        producer.Produce("queueing.transactions", new Confluent.Kafka.Message<byte[]?, byte[]?> { Key = System.Text.Encoding.UTF8.GetBytes(account), Value = System.Text.Encoding.UTF8.GetBytes(json) });
        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private static async Task<long> TotalInAsync(IPage page) => long.Parse(await page.TextContentAsync("#total-in") ?? "0");

    private static Task<T> WaitForAsync<T>(IPage page, Func<Task<T?>> probe) where T : struct => Chromium.WaitForAsync(page, Patience, probe);
}

using System.Globalization;
using Microsoft.Playwright;

namespace Fraud.Host.Tests;

/// <summary>
/// The Rules page as an analyst uses it, in a real browser against a running <c>fraud demo</c> with a token: log in,
/// open Rules, edit a threshold (the node checks each keystroke: a mistake shows its line, and cannot be saved), save,
/// and see the rule's version and the node's rule set rise and the rule's hits per minute move with the new threshold.
/// Saves <c>docs/rules-page.png</c>, the README's picture of it.
/// </summary>
public sealed class RulesPageBrowserSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private const string Token = "rules-page-spec-token-0123456789";

    [Fact]
    public async Task Should_edit_a_threshold_and_show_the_new_version_and_its_hits()
    {
        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        await broker.WaitForLineAsync("broker: listening on", Patience);
        await using var demo = FraudProcess.Start("fraud.dll", ["demo", "--duration", "150", "--rate", "300", "--seed", "5"],
            new Dictionary<string, string> { ["Kafka__BootstrapServers"] = $"127.0.0.1:{port}", ["Kafka__Consumer__fetch.wait.max.ms"] = "10", ["Dashboard__Token"] = Token });
        var url = await demo.DashboardUrlAsync(Patience);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var errors = new List<string>();
        var page = await Chromium.PageAsync(browser, errors);
        await page.GotoAsync(url);
        await Chromium.LogInAsync(page, Token);
        await page.Locator("#total-in").WaitForAsync();

        await page.ClickAsync("#nav-rules");
        var row = page.Locator("#rules tbody tr[data-rule='large-amount']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)Patience.TotalMilliseconds });
        Assert.Equal("1", await Cell(row, 2));
        var ruleSet = await page.TextContentAsync("#rule-set");
        Assert.StartsWith("rule set ", ruleSet);

        // Open the rule; a mistake as one types is shown with its line, and cannot be saved.
        await row.Locator("td .link").ClickAsync();
        await WaitForAsync(page, async () => await page.TextContentAsync("#editor-title") == "Editing large-amount, version 1" ? true : (bool?)null);
        Assert.Contains("amount >= 900", await page.InputValueAsync("#editor-text"));
        await page.FillAsync("#editor-text", "rule large-amount: block weight 0.9\n  when amount >= >= 100");
        await WaitForAsync(page, async () => (await page.TextContentAsync("#editor-check"))!.StartsWith("line 2, column") ? true : (bool?)null);
        Assert.True(await page.IsDisabledAsync("#editor-save"));

        // The threshold lowered: it compiles, it is saved, and the page shows the version it made.
        await page.FillAsync("#editor-text", "rule large-amount: block weight 0.9\n  when amount >= 50");
        await WaitForAsync(page, async () => await page.TextContentAsync("#editor-check") == "large-amount: compiles" ? true : (bool?)null);
        await page.FillAsync("#editor-by", "browser-spec");
        var hitsBefore = Hits(await Cell(row, 5));
        await page.ClickAsync("#editor-save");
        await WaitForAsync(page, async () => (await page.TextContentAsync("#editor-result"))!.Contains("rule large-amount: changed, version 2") ? true : (bool?)null);
        Assert.Equal("ok", await page.GetAttributeAsync("#editor-result", "class"));

        // The version rises in the table, the node runs a new rule set, and the rule's hits per minute move.
        await WaitForAsync(page, async () => await Cell(row, 2) == "2" && await Cell(row, 7) == "browser-spec" ? true : (bool?)null);
        await WaitForAsync(page, async () => await page.TextContentAsync("#rule-set") is var now && now != ruleSet && now!.StartsWith("rule set ") ? true : (bool?)null);
        var hitsAfter = await WaitForAsync(page, async () => Hits(await Cell(row, 5)) is var h && h > hitsBefore + 100 ? h : (double?)null);
        Assert.True(hitsAfter > hitsBefore, $"{hitsBefore} -> {hitsAfter}");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(FraudProcess.RepositoryRoot(), "docs", "rules-page.png"), FullPage = true });
        Assert.True(errors.Count == 0, string.Join(" | ", errors));
    }

    private static async Task<string> Cell(ILocator row, int column) => (await row.Locator($"td:nth-child({column})").TextContentAsync())!.Trim();

    private static double Hits(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static Task<T> WaitForAsync<T>(IPage page, Func<Task<T?>> probe) where T : struct => Chromium.WaitForAsync(page, Patience, probe);
}

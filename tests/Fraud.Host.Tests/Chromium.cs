using Microsoft.Playwright;

namespace Fraud.Host.Tests;

/// <summary>Debian's Chromium driven by Playwright, kept off the network, with the page's console errors collected.</summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: scripts/test.sh installs Debian's chromium");
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Path,
            Headless = true,
            // Root in CI needs --no-sandbox; the rest keeps Chromium off the (closed) network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
        });
    }

    /// <summary>A page whose console errors (a content security policy violation shows there) land in <paramref name="errors"/>.</summary>
    public static async Task<IPage> PageAsync(IBrowser browser, List<string> errors)
    {
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        return page;
    }

    /// <summary>Logs in with <paramref name="token"/> through the form the dashboard redirects to.</summary>
    public static async Task LogInAsync(IPage page, string token)
    {
        await page.FillAsync("#token", token);
        await page.ClickAsync("button[type=submit]");
    }

    /// <summary>Polls the page until <paramref name="probe"/> gives a value (the dashboard updates every second or two).</summary>
    public static async Task<T> WaitForAsync<T>(IPage page, TimeSpan patience, Func<Task<T?>> probe) where T : struct
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the dashboard did not get there in {patience}: {await page.InnerTextAsync("body")}");
            await Task.Delay(250);
        }
    }
}

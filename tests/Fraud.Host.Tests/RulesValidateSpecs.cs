namespace Fraud.Host.Tests;

/// <summary><c>fraud rules validate FILE</c> as a process: exit 0 and a summary, or one placed error line and exit 2.</summary>
public sealed class RulesValidateSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Should_accept_the_default_pack_and_summarize_it()
    {
        var path = Path.Combine(FraudProcess.RepositoryRoot(), "rules", "default.rules");
        var run = await FraudProcess.RunAsync("fraud.dll", ["rules", "validate", path], Patience);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal($"{path}: 5 rules, 5 enabled (5 block); valid", run.Stdout.Trim());
        Assert.Equal("", run.Stderr.Trim());
    }

    [Theory]
    [InlineData("rule a: block when amount > 1\nrule b: review\n  when count(amount) > 3\n", "x.rules:3:14: expected a window (60s, 10m, 24h, 7d), found 'amount'")]
    [InlineData("rule a: maybe when amount > 1\n", "x.rules:1:9: expected the action (allow, review or block), found 'maybe'")]
    [InlineData("rule a: block when amount == \"x\"\n", "x.rules:1:27: cannot compare a number (amount) with a text (\"x\")")]
    [InlineData("rule a: block when source in @vip\n", "x.rules:1:27: no list '@vip' (looked for vip.list next to the rules)")]
    public async Task Should_refuse_a_bad_file_with_one_line_naming_the_place_and_exit_2(string text, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("fraud-rules-");
        try
        {
            var path = Path.Combine(dir.FullName, "x.rules");
            await File.WriteAllTextAsync(path, text);
            var run = await FraudProcess.RunAsync("fraud.dll", ["rules", "validate", path], Patience);

            Assert.Equal(2, run.ExitCode);
            var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal($"error: {Path.Combine(dir.FullName, expected)}", line);
            Assert.Equal("", run.Stdout.Trim());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Should_say_in_one_line_that_the_file_is_missing()
    {
        var run = await FraudProcess.RunAsync("fraud.dll", ["rules", "validate", "/nonexistent/x.rules"], Patience);

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: cannot read the rule file /nonexistent/x.rules: ", line);
    }
}

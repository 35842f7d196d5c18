namespace Fraud.Host.Tests;

/// <summary><c>fraud rules validate FILE</c> as a process: exit 0 and a summary, or one placed error line and exit 2.</summary>
public sealed class RulesValidateSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("default.rules", "5 rules, 5 enabled (5 block)")]
    [InlineData("recommended.rules", "10 rules, 10 enabled (1 allow, 4 review, 5 block)")] // with rates.txt and trusted_merchants.list
    public async Task Should_accept_the_shipped_packs_and_summarize_them(string file, string summary)
    {
        var path = Path.Combine(FraudProcess.RepositoryRoot(), "rules", file);
        var run = await FraudProcess.RunAsync("fraud.dll", ["rules", "validate", path], Patience);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal($"{path}: {summary}; valid", run.Stdout.Trim());
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

    [Theory]
    [InlineData("demo", "--duration", "1")]
    [InlineData("detect", "--urls", "http://127.0.0.1:0")]
    [InlineData("replay", "--from-beginning", "--bootstrap", "127.0.0.1:1")]
    public async Task Should_end_a_command_that_loads_rules_with_the_rule_files_line_and_exit_2(params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("fraud-rules-");
        try
        {
            var path = Path.Combine(dir.FullName, "night.rules");
            await File.WriteAllTextAsync(path, "rule a: block weight 0.5\n  when hour in 22..3 and sum(amount, 24h where) > 1\n");
            var run = await FraudProcess.RunAsync("fraud.dll", args, Patience, new Dictionary<string, string> { ["Fraud__Rules__File"] = path });

            Assert.Equal(2, run.ExitCode);
            var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal($"error: {path}:2:47: expected a value, an attribute or a function, found ')'", line);
            Assert.DoesNotContain("detector started", run.Stdout + run.Stderr); // refused before anything ran
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Should_take_replays_rule_file_from_its_option()
    {
        var run = await FraudProcess.RunAsync("fraud.dll", ["replay", "--from-beginning", "--bootstrap", "127.0.0.1:1", "--rules", "/nonexistent/other.rules"], Patience);

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: /nonexistent/other.rules:1:1: cannot read the rule file", line);
    }
}

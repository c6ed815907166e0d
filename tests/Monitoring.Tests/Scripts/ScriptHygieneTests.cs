using Forge.Monitoring.Tests.Support;

namespace Forge.Monitoring.Tests.Scripts;

public sealed class ScriptHygieneTests
{
    /// <summary>The scripts the guide names (and the one its troubleshooting pipeline became).</summary>
    public static readonly TheoryData<string> GuideScripts = new()
    {
        "failover-for-maintenance.sh",
        "restore-after-maintenance.sh",
        "emergency-failover.sh",
        "emergency-recovery.sh",
        "restore-cluster-management.sh",
        "test-failover.sh",
        "restore-primary.sh",
        "disable-secondary-clusters.sh",
        "monthly-failover-test.sh",
    };

    [Theory]
    [MemberData(nameof(GuideScripts))]
    public void The_script_exists_is_executable_and_parses(string script)
    {
        var path = Path.Combine(Repo.Scripts, script);
        Assert.True(File.Exists(path), $"{path} is missing");
        Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), $"{script} is not executable");
        var result = Tool.Run(Tool.Require("bash", "bash"), ["-n", path]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Theory]
    [MemberData(nameof(GuideScripts))]
    public void Every_pause_is_a_parameter(string script)
    {
        // Fixed sleeps are the guide's habit; here every pause is a setting (WAIT_SECONDS, POLL_SECONDS, RUN_SECONDS).
        var lines = File.ReadAllLines(Path.Combine(Repo.Scripts, script));
        var code = lines.Where(l => !l.TrimStart().StartsWith('#'));
        Assert.DoesNotContain(code, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"(^|[;&|(])\s*sleep\s+['""]?\d"));
    }

    [Fact]
    public void Shellcheck_finds_nothing()
    {
        var shellcheck = Tool.Require("shellcheck", "shellcheck");
        var files = Directory.EnumerateFiles(Repo.Scripts, "*.sh", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Repo.Monitoring, "*.sh", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal).ToArray();
        var result = Tool.Run(shellcheck, ["-x", .. files], Repo.Scripts);
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}

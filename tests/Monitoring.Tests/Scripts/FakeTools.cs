using Forge.Monitoring.Tests.Support;

namespace Forge.Monitoring.Tests.Scripts;

/// <summary>One answer of a fake tool.</summary>
public sealed record Reply(string Out = "", int ExitCode = 0, string Err = "");

/// <summary>
/// Fake kubectl, curl and sleep on PATH for running deploy/scripts: each records its arguments and
/// answers from rules (first rule whose text the joined arguments contain; answers in order, the last
/// repeats). The fake sleep returns at once, so waits cost nothing and are checked by what they asked.
/// </summary>
public sealed class FakeTools : IDisposable
{
    private static readonly string[] Tools = ["kubectl", "curl", "sleep"];
    private readonly Dictionary<string, int> _rules = new(StringComparer.Ordinal);

    public FakeTools()
    {
        // under the test output, not /tmp: the fakes are executables, and /tmp may be mounted noexec
        Dir = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "fake-tools", Guid.NewGuid().ToString("N"))).FullName;
        var bin = Directory.CreateDirectory(Path.Combine(Dir, "bin")).FullName;
        var script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Scripts", "fake-tool.sh"));
        foreach (var tool in Tools)
        {
            var path = Path.Combine(bin, tool);
            File.WriteAllText(path, script);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        BinDir = bin;
    }

    public string Dir { get; }

    public string BinDir { get; }

    /// <summary>Answers calls of <paramref name="tool"/> whose arguments contain <paramref name="match"/>.</summary>
    public FakeTools On(string tool, string match, params Reply[] replies)
    {
        var rules = Directory.CreateDirectory(Path.Combine(Dir, tool, "rules")).FullName;
        var index = _rules[tool] = _rules.GetValueOrDefault(tool) + 1;
        File.WriteAllText(Path.Combine(rules, $"{index}.match"), match);
        for (var k = 0; k < replies.Length; k++)
        {
            File.WriteAllText(Path.Combine(rules, $"{index}.{k + 1}.out"), replies[k].Out);
            File.WriteAllText(Path.Combine(rules, $"{index}.{k + 1}.err"), replies[k].Err);
            File.WriteAllText(Path.Combine(rules, $"{index}.{k + 1}.rc"), replies[k].ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return this;
    }

    public FakeTools On(string tool, string match, string output) => On(tool, match, new Reply(output));

    /// <summary>The calls of <paramref name="tool"/>, in order, each as its argument list.</summary>
    public IReadOnlyList<string[]> Calls(string tool)
    {
        var calls = Path.Combine(Dir, tool, "calls");
        if (!Directory.Exists(calls))
        {
            return [];
        }

        return Directory.EnumerateFiles(calls).Order(StringComparer.Ordinal)
            .Select(f => File.ReadAllText(f).Split('\0')[..^1])
            .ToList();
    }

    /// <summary>Runs deploy/scripts/<paramref name="script"/> with the fakes first on PATH.</summary>
    public ToolResult Run(string script, IReadOnlyDictionary<string, string>? env = null, params string[] args)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PATH"] = BinDir + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["FAKE_TOOLS_DIR"] = Dir,
            ["FAKE_REAL_SLEEP"] = Tool.Require("sleep", "coreutils"),
            ["TZ"] = "UTC",
        };
        foreach (var name in new[] { "KUBE_CONTEXT", "KUBE_NAMESPACE", "MONITORING_URL", "WAIT_SECONDS", "POLL_SECONDS", "LOCAL_CLUSTER", "KUBECONFIG" })
        {
            environment[name] = null;
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return Tool.Run(Path.Combine(Repo.Scripts, script), args, Dir, environment, TimeSpan.FromSeconds(180));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // a fake port-forward still exiting; the temp directory is harmless
        }
    }
}

using System.Text;
using System.Text.RegularExpressions;

namespace Forge.Kubernetes.Tests.Support;

/// <summary>
/// The operations guide (<c>shared/seed/operations-guide.md</c>, beside or above the checkout) and the shell commands
/// of its <c>bash</c> code blocks, so tests run the guide's own text and notice when it changes. Also compiled into
/// Sandbox.Tests.
/// </summary>
internal static partial class OperationsGuide
{
    public const string PathVariable = "FORGE_OPERATIONS_GUIDE";

    /// <summary>The copy kept in the repository (tests/Kubernetes.Tests/Support/operations-guide.md), so a checkout
    /// without <c>shared/</c> beside it still tests against the guide; a test keeps it identical to the shared one.</summary>
    public static string RepositoryCopy(string repositoryRoot) =>
        Path.Combine(repositoryRoot, "tests", "Kubernetes.Tests", "Support", "operations-guide.md");

    /// <summary>The shared guide (<c>shared/seed/operations-guide.md</c> in the directory of <paramref name="repositoryRoot"/>
    /// or any directory above it), or null when there is none.</summary>
    public static string? LocateShared(string repositoryRoot)
    {
        for (var dir = new DirectoryInfo(repositoryRoot); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "shared", "seed", "operations-guide.md");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary><c>FORGE_OPERATIONS_GUIDE</c>, else the shared guide, else the repository's copy. Missing is an error,
    /// never a silent pass.</summary>
    public static string Locate(string repositoryRoot)
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } set)
            return File.Exists(set) ? set : throw new FileNotFoundException($"{PathVariable}={set}: no such file", set);
        if (LocateShared(repositoryRoot) is { } shared) return shared;
        var copy = RepositoryCopy(repositoryRoot);
        return File.Exists(copy) ? copy : throw new FileNotFoundException(
            $"the operations guide is neither beside or above {repositoryRoot} (shared/seed/operations-guide.md) nor at {copy}; set {PathVariable}");
    }

    /// <summary>
    /// Every command of the guide's <c>bash</c> blocks: comment lines skipped, a <c>$ </c> prompt stripped, a command
    /// spanning lines inside single quotes (the <c>patch -p='{ ... }'</c> bodies) kept whole, each with the
    /// <c>NAME="value"</c> assignments of its block (the scripts set their cluster names first).
    /// </summary>
    public static IReadOnlyList<GuideCommand> Commands(string markdown)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var commands = new List<GuideCommand>();
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success || fence.Groups["info"].Value != "bash") continue;
            var indent = fence.Groups["indent"].Length;
            var block = new List<(string Text, int Line)>();
            var variables = new List<string>();
            var pending = new StringBuilder();
            var start = 0;
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                var line = Dedent(lines[i], indent);
                if (pending.Length == 0)
                {
                    var trimmed = line.Trim();
                    if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
                    if (trimmed.StartsWith("$ ", StringComparison.Ordinal)) trimmed = trimmed[2..];
                    pending.Append(trimmed);
                    start = i + 1;
                }
                else
                {
                    pending.Append('\n').Append(line);
                }
                var text = pending.ToString();
                if (text.Count(c => c == '\'') % 2 != 0) continue; // inside a single-quoted argument
                pending.Clear();
                if (Assignment().IsMatch(text)) variables.Add(text);
                else block.Add((text, start));
            }
            commands.AddRange(block.Select(b => new GuideCommand(b.Text, b.Line, variables.ToList())));
        }
        return commands;
    }

    private static string Dedent(string line, int indent)
    {
        var n = 0;
        while (n < indent && n < line.Length && line[n] == ' ') n++;
        return line[n..];
    }

    [GeneratedRegex(@"^(?<indent> *)```(?<info>\S*)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex("^[A-Z][A-Z0-9_]*=\"[^\"$`]*\"$")]
    private static partial Regex Assignment();
}

/// <param name="Line">The guide's line (1-based) where the command starts.</param>
/// <param name="Variables">The plain assignments of its code block, which a script runs first.</param>
internal sealed partial record GuideCommand(string Text, int Line, IReadOnlyList<string> Variables)
{
    /// <summary>The command works on CardanoForgeClusters (by plural, singular, kind in any case, or short name).</summary>
    public bool OnForgeClusters => ForgeClusters().IsMatch(Text);

    [GeneratedRegex(@"cardanoforgecluster|\bcfc\b", RegexOptions.IgnoreCase)]
    private static partial Regex ForgeClusters();
}

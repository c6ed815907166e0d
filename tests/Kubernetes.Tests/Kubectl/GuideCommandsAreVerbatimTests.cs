namespace Forge.Kubernetes.Tests.Kubectl;

public sealed class GuideCommandsAreVerbatimTests
{
    private static readonly string GuidePath = Path.Combine(Support.RepoPaths.Root, "..", "shared", "seed", "operations-guide.md");

    [Fact]
    public void Every_command_the_tests_run_appears_in_the_operations_guide()
    {
        // shared/ sits beside the checkout on developer machines and in CI; without it there is nothing to compare.
        if (!File.Exists(GuidePath))
        {
            return;
        }

        var guide = File.ReadAllText(GuidePath);
        var missing = GuideCommands.All.Where(c => !guide.Contains(c, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "not verbatim from the guide:\n" + string.Join("\n---\n", missing));
    }
}

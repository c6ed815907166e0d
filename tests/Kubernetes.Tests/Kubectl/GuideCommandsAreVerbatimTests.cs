using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Kubectl;

public sealed class GuideCommandsAreVerbatimTests
{
    [Fact]
    public void Every_command_the_tests_run_appears_in_the_operations_guide()
    {
        // A missing guide fails (OperationsGuide.Locate throws): a comparison with nothing would pass for nothing.
        var guide = File.ReadAllText(OperationsGuide.Locate(RepoPaths.Root));
        var missing = GuideCommands.All.Where(c => !guide.Contains(c, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "not verbatim from the guide:\n" + string.Join("\n---\n", missing));
    }
}

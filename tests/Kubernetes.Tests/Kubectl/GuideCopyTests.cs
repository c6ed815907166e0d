using Forge.Kubernetes.Tests.Support;
using Xunit.Abstractions;

namespace Forge.Kubernetes.Tests.Kubectl;

/// <summary>The repository keeps a copy of the operations guide so a checkout without <c>shared/</c> beside it still
/// runs the guide's commands; where the shared guide exists, the copy must be identical to it.</summary>
public sealed class GuideCopyTests(ITestOutputHelper output)
{
    [Fact]
    public void The_repository_copy_is_the_shared_guide_and_holds_the_guides_commands()
    {
        var copy = File.ReadAllText(OperationsGuide.RepositoryCopy(RepoPaths.Root));
        if (OperationsGuide.LocateShared(RepoPaths.Root) is { } shared)
            Assert.True(File.ReadAllText(shared) == copy,
                $"{OperationsGuide.RepositoryCopy(RepoPaths.Root)} differs from {shared}: copy the shared guide over it");
        else
            output.WriteLine("no shared/seed/operations-guide.md beside or above the checkout: only the copy is checked");
        Assert.True(OperationsGuide.Commands(copy).Count(c => c.OnForgeClusters) >= 20, "the copy holds the guide's commands");
    }
}

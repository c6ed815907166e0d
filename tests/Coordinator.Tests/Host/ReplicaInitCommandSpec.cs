using Forge.Grants;
using Xunit;

namespace Forge.Coordinator.Tests.Host;

/// <summary><c>forge-coordinator replica-init</c>: marks a new replica directory as never voted, once.</summary>
public sealed class ReplicaInitCommandSpec : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("replica-init-");

    private string[] Args => [
        "--set", "forge.cluster.regions = [us-east-1, us-west-2, eu-west-1]",
        "--set", "forge.cluster.region = us-east-1",
        "--set", $"forge.grants.data-directory = \"{Path.Combine(_dir.FullName, "grants")}\""];

    [Fact]
    public void It_initializes_a_new_directory_once_and_refuses_a_directory_that_holds_state()
    {
        Assert.Equal(0, CoordinatorHost.InitReplica(Args));
        var state = new FileReplicaStore(Path.Combine(_dir.FullName, "grants")).Load(TimeSpan.Zero);
        Assert.NotNull(state);
        Assert.False(state.Recovering);

        Assert.Equal(1, CoordinatorHost.InitReplica(Args)); // a replica that voted must keep or recover its state
    }

    [Fact]
    public void A_configuration_error_is_reported_as_such()
    {
        Assert.Equal(3, CoordinatorHost.InitReplica(["--set", "forge.cluster.regions = []"]));
        Assert.False(File.Exists(Path.Combine(_dir.FullName, "grants", FileReplicaStore.LogFileName)));
    }

    public void Dispose() => _dir.Delete(recursive: true);
}

namespace Forge.Kubernetes.Tests.Support;

/// <summary>Locations in the repository (found by walking up to Coordinator.sln).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Crd => Path.Combine(Root, "deploy", "crd", "cardanoforgeclusters.cardano.io.yaml");

    public static string Overlay(string name) => Path.Combine(Root, "deploy", "overlays", name);

    public static string RegionCluster(string region) => Path.Combine(Overlay(region), "cardanoforgecluster.yaml");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coordinator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Coordinator.sln not found above {AppContext.BaseDirectory}");
    }
}

namespace Forge.Monitoring.Tests.Support;

/// <summary>Paths in the repository the tests read (found from the test binary upwards).</summary>
internal static class Repo
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string Monitoring => Path.Combine(Root, "deploy", "monitoring");

    public static string RulesFile => Path.Combine(Monitoring, "rules", "cardano-forge.rules.yml");

    public static string PrometheusRuleFile => Path.Combine(Monitoring, "prometheusrule.yaml");

    public static string DashboardFile => Path.Combine(Monitoring, "grafana", "cardano-forge-dashboard.json");

    public static string Scripts => Path.Combine(Root, "deploy", "scripts");

    public static IEnumerable<string> PromtoolTestFiles =>
        Directory.EnumerateFiles(Path.Combine(Monitoring, "tests"), "*.yml").Order(StringComparer.Ordinal);

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

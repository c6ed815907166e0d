using System.Text;

namespace Forge.Sandbox;

/// <summary>Writes one kubeconfig with a context per region, named after the cluster, namespace <c>cardano</c>;
/// the current context is the first.</summary>
internal static class Kubeconfig
{
    public static string Render(IReadOnlyList<(string Context, string Server)> regions)
    {
        var sb = new StringBuilder();
        sb.AppendLine("apiVersion: v1");
        sb.AppendLine("kind: Config");
        sb.AppendLine("preferences: {}");
        sb.AppendLine($"current-context: {regions[0].Context}");
        sb.AppendLine("clusters:");
        foreach (var (ctx, server) in regions)
            sb.AppendLine($"- name: {ctx}").AppendLine("  cluster:").AppendLine($"    server: {server}");
        sb.AppendLine("users:");
        foreach (var (ctx, _) in regions)
            sb.AppendLine($"- name: {ctx}-operator").AppendLine("  user:").AppendLine("    token: sandbox");
        sb.AppendLine("contexts:");
        foreach (var (ctx, _) in regions)
            sb.AppendLine($"- name: {ctx}").AppendLine("  context:").AppendLine($"    cluster: {ctx}")
              .AppendLine($"    user: {ctx}-operator").AppendLine("    namespace: cardano");
        return sb.ToString();
    }
}

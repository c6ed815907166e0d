namespace Forge.KubeApiEmulator;

/// <summary>A kubeconfig that points kubectl (or KubernetesClient) at an emulator, with a default namespace.</summary>
public static class Kubeconfig
{
    /// <param name="serviceAccount">
    /// "NAMESPACE:NAME" to act as that ServiceAccount (RBAC enforced); null = administrator. Written both as the
    /// token (KubernetesClient sends it over plain HTTP) and as <c>as:</c> impersonation (kubectl sends no bearer
    /// token over plain HTTP, but does send impersonation headers).
    /// </param>
    public static string Render(Uri server, string defaultNamespace = "cardano", string contextName = "emulator", string? serviceAccount = null) => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {{contextName}}
          cluster:
            server: {{server.ToString().TrimEnd('/')}}
        users:
        - name: {{contextName}}
          user:
            token: {{(serviceAccount is null ? "emulator" : $"system:serviceaccount:{serviceAccount}")}}{{(serviceAccount is null ? "" : $"\n    as: system:serviceaccount:{serviceAccount}")}}
        contexts:
        - name: {{contextName}}
          context:
            cluster: {{contextName}}
            user: {{contextName}}
            namespace: {{defaultNamespace}}
        current-context: {{contextName}}
        preferences: {}

        """;

    public static void Write(string path, Uri server, string defaultNamespace = "cardano", string contextName = "emulator", string? serviceAccount = null)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllText(path, Render(server, defaultNamespace, contextName, serviceAccount));
    }
}

namespace Forge.KubeApiEmulator;

/// <summary>A kubeconfig that points kubectl (or KubernetesClient) at an emulator, with a default namespace.</summary>
public static class Kubeconfig
{
    public static string Render(Uri server, string defaultNamespace = "cardano", string contextName = "emulator") => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {{contextName}}
          cluster:
            server: {{server.ToString().TrimEnd('/')}}
        users:
        - name: {{contextName}}
          user:
            token: emulator
        contexts:
        - name: {{contextName}}
          context:
            cluster: {{contextName}}
            user: {{contextName}}
            namespace: {{defaultNamespace}}
        current-context: {{contextName}}
        preferences: {}

        """;

    public static void Write(string path, Uri server, string defaultNamespace = "cardano", string contextName = "emulator")
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllText(path, Render(server, defaultNamespace, contextName));
    }
}

using System.Globalization;
using System.Text;

namespace Forge.Sandbox;

/// <summary>The text files the sandbox writes: CRD, CardanoForgeCluster objects, coordinator HOCON.</summary>
internal static class Resources
{
    public static string Crd()
    {
        using var s = typeof(Resources).Assembly.GetManifestResourceStream("crd.yaml")
            ?? throw new InvalidOperationException("the CRD is not embedded in Forge.Sandbox");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    /// <summary>Every cluster of the pool, as the guide lists them (each region's API shows all of them).</summary>
    public static string ForgeClusters(Layout layout)
    {
        var sb = new StringBuilder();
        foreach (var r in layout.Regions)
        {
            // the cluster's health endpoint: its first node's forge-manager (the overlay's cardano-node-metrics Service)
            var health = $"http://{r.Nodes[0].Host}:{r.Nodes[0].AgentMetricsPort}/healthz";
            sb.Append(CultureInfo.InvariantCulture, $"""
                ---
                apiVersion: cardano.io/v1
                kind: CardanoForgeCluster
                metadata:
                  name: {r.Cluster}
                  namespace: {Layout.Namespace}
                  labels:
                    cardano.io/region: {r.Region}
                spec:
                  region: {r.Region}
                  priority: {r.Priority}
                  forgeState: Priority-based
                  healthCheck:
                    enabled: true
                    endpoint: {health}
                    interval: 5s
                    timeout: 2s
                    failureThreshold: 3
                  network:
                    name: sandbox
                    magic: 42
                  pool:
                    id: {layout.PoolId}
                    ticker: FORGE

                """);
        }
        return sb.ToString();
    }

    /// <summary>One coordinator's HOCON (passed with --config; the defaults in hocon/ stay underneath).</summary>
    public static string CoordinatorConf(Layout layout, CoordinatorPlan c, (string Cert, string Key) remoting,
        (string Cert, string Key) gateway, string caPath)
    {
        static string Q(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Q)) + "]";
        var regions = List(layout.Regions.Select(r => r.Region));
        // seeds: every region's first coordinator, the first region's first (the same on every coordinator)
        var seeds = List(layout.Regions.Select(r => r.Coordinators[0].SeedAddress));
        var replicaAddresses = string.Join("\n", layout.Regions.Select(r => $"    {r.Region} = {Q(r.Coordinators[0].SeedAddress)}"));
        return $$"""
            # Written by the sandbox for {{c.Name}}; regenerated at every start.
            forge.coordinator {
              hostname = {{Q(c.Host)}}
              public-hostname = {{Q(c.Host)}}
              port = {{c.RemotePort}}
              http-port = {{c.HttpPort}}
              agent-port = {{c.AgentPort}}
              agent-tls {
                ca-path = {{Q(caPath)}}
                cert-path = {{Q(gateway.Cert)}}
                key-path = {{Q(gateway.Key)}}
              }
              region = {{Q(c.Region)}}
              cluster-name = {{Q(c.Cluster)}}
              # the region's grant replica lives on its first coordinator (the production StatefulSet's pinned ordinal 0)
              grant-replica = {{(c.Ordinal == 0 ? "on" : "off")}}
              replica-addresses {
            {{replicaAddresses}}
              }
            }
            forge.cluster {
              regions = {{regions}}
              region = {{Q(c.Region)}}
              seed-nodes = {{seeds}}
              tls {
                enabled = on
                ca-path = {{Q(caPath)}}
                cert-path = {{Q(remoting.Cert)}}
                key-path = {{Q(remoting.Key)}}
                peer-subject-prefix = "CN=forge-coordinator"
              }
            }
            forge.grants {
              regions = {{regions}}
              replica-ordinal = 0
              data-directory = {{Q(c.GrantsDir)}}
            }
            forge.shell {
              host = "127.0.0.1"
              port = {{c.ShellPort}}
            }
            # the CRD projection: the region's API emulator
            forge.projection {
              kubeconfig = {{Q(c.KubeconfigPath)}}
              namespace = {{Q(Layout.Namespace)}}
              default-pool = {{Q(layout.PoolId)}}
            }

            """;
    }
}

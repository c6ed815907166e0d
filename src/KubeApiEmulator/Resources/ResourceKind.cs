using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Printing;

namespace Forge.KubeApiEmulator.Resources;

/// <summary>
/// Everything the emulator knows about one served resource type: names for discovery and messages,
/// scope, write rules, the CRD schema (null for built-ins) and the server-side printing columns.
/// </summary>
internal sealed record ResourceKind
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required string Kind { get; init; }

    public required bool Namespaced { get; init; }

    public ImmutableArray<string> ShortNames { get; init; } = [];

    public ImmutableArray<string> Categories { get; init; } = [];

    /// <summary>True when <c>/status</c> is a subresource: main writes keep status, status writes keep the rest.</summary>
    public bool HasStatus { get; init; }

    /// <summary>CRs and most workloads count spec changes in metadata.generation; Leases and Events do not.</summary>
    public bool SetsGeneration { get; init; }

    /// <summary>CRs refuse a PUT without resourceVersion (422); built-ins accept an unconditional update.</summary>
    public bool RequiresResourceVersionOnUpdate { get; init; }

    /// <summary>Objects a host registers programmatically (Pods, StatefulSets): clients may read, never write.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Read-only objects that a DELETE may still remove through the host's kubelet (Pods).</summary>
    public bool KubeletDeletes { get; init; }

    /// <summary>Review-style resources (SelfSubjectAccessReview): POST answers at once, nothing is stored.</summary>
    public bool CreateOnly { get; init; }

    /// <summary>Extra subresources served besides status (pods/log).</summary>
    public ImmutableArray<string> ExtraSubresources { get; init; } = [];

    /// <summary>The storage this kind reads and writes; events.k8s.io Events share core Events' storage.</summary>
    public string StorageKey { get; init; } = "";

    public JsonObject? Schema { get; init; }

    public ImmutableArray<TableColumn> Columns { get; init; } = [];

    public string ListKind => Kind + "List";

    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"cardanoforgeclusters.cardano.io", or "pods" for the core group: the apiserver's name in messages.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>"CardanoForgeCluster.cardano.io": the qualified kind in 422 messages.</summary>
    public string GroupKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    public string Storage => StorageKey.Length > 0 ? StorageKey : $"{Group}/{Plural}";

    public ImmutableArray<string> Verbs => CreateOnly
        ? ["create"]
        : ReadOnly
            ? KubeletDeletes ? ["delete", "get", "list", "watch"] : ["get", "list", "watch"]
            : ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public ApiException NotFound(string name) => ApiException.NotFound(GroupResource, Group, Plural, name);

    public ApiException Conflict(string name) => ApiException.Conflict(GroupResource, Group, Plural, name);

    public ApiException AlreadyExists(string name) => ApiException.AlreadyExists(GroupResource, Group, Plural, name);
}

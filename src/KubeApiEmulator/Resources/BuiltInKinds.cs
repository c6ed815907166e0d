using Forge.KubeApiEmulator.Printing;

namespace Forge.KubeApiEmulator.Resources;

/// <summary>The built-in resource types the emulator serves besides the CRD-defined ones.</summary>
internal static class BuiltInKinds
{
    public static ResourceKind Namespaces { get; } = new()
    {
        Group = "", Version = "v1", Plural = "namespaces", Singular = "namespace", Kind = "Namespace",
        Namespaced = false, ShortNames = ["ns"], HasStatus = true, Columns = BuiltInColumns.Namespaces,
    };

    public static ResourceKind CoreEvents { get; } = new()
    {
        Group = "", Version = "v1", Plural = "events", Singular = "event", Kind = "Event",
        Namespaced = true, ShortNames = ["ev"], StorageKey = "events", Columns = BuiltInColumns.Events,
    };

    /// <summary>events.k8s.io/v1: a second view of the same storage, converted on the way in and out.</summary>
    public static ResourceKind Events { get; } = new()
    {
        Group = "events.k8s.io", Version = "v1", Plural = "events", Singular = "event", Kind = "Event",
        Namespaced = true, ShortNames = ["ev"], StorageKey = "events", Columns = BuiltInColumns.Events,
    };

    public static ResourceKind Pods { get; } = new()
    {
        Group = "", Version = "v1", Plural = "pods", Singular = "pod", Kind = "Pod",
        Namespaced = true, ShortNames = ["po"], Categories = ["all"], ReadOnly = true, KubeletDeletes = true, HasStatus = true,
        ExtraSubresources = ["log"], Columns = BuiltInColumns.Pods,
    };

    public static ResourceKind StatefulSets { get; } = new()
    {
        Group = "apps", Version = "v1", Plural = "statefulsets", Singular = "statefulset", Kind = "StatefulSet",
        Namespaced = true, ShortNames = ["sts"], Categories = ["all"], ReadOnly = true, HasStatus = true,
        SetsGeneration = true, Columns = BuiltInColumns.StatefulSets,
    };

    public static ResourceKind Leases { get; } = new()
    {
        Group = "coordination.k8s.io", Version = "v1", Plural = "leases", Singular = "lease", Kind = "Lease",
        Namespaced = true, Columns = BuiltInColumns.Leases,
    };

    public static ResourceKind Crds { get; } = new()
    {
        Group = "apiextensions.k8s.io", Version = "v1", Plural = "customresourcedefinitions",
        Singular = "customresourcedefinition", Kind = "CustomResourceDefinition", Namespaced = false,
        ShortNames = ["crd", "crds"], Categories = ["api-extensions"], HasStatus = true, SetsGeneration = true,
        RequiresResourceVersionOnUpdate = true, Columns = BuiltInColumns.Crds,
    };

    public static ResourceKind ServiceAccounts { get; } = new()
    {
        Group = "", Version = "v1", Plural = "serviceaccounts", Singular = "serviceaccount", Kind = "ServiceAccount",
        Namespaced = true, ShortNames = ["sa"], Columns = [TableColumn.NameColumn, TableColumn.Age()],
    };

    // RBAC objects are stored so that `kubectl auth can-i --as=...` can be answered from the real manifests.
    public static ResourceKind Roles { get; } = Rbac("roles", "role", "Role", namespaced: true);

    public static ResourceKind RoleBindings { get; } = Rbac("rolebindings", "rolebinding", "RoleBinding", namespaced: true);

    public static ResourceKind ClusterRoles { get; } = Rbac("clusterroles", "clusterrole", "ClusterRole", namespaced: false);

    public static ResourceKind ClusterRoleBindings { get; } = Rbac("clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", namespaced: false);

    public static ResourceKind SelfSubjectAccessReviews { get; } = new()
    {
        Group = "authorization.k8s.io", Version = "v1", Plural = "selfsubjectaccessreviews", Singular = "selfsubjectaccessreview",
        Kind = "SelfSubjectAccessReview", Namespaced = false, CreateOnly = true,
    };

    public static IReadOnlyList<ResourceKind> All { get; } =
    [
        Namespaces, CoreEvents, Pods, ServiceAccounts, StatefulSets, Leases, Events, Crds,
        Roles, RoleBindings, ClusterRoles, ClusterRoleBindings, SelfSubjectAccessReviews,
    ];

    private static ResourceKind Rbac(string plural, string singular, string kind, bool namespaced) => new()
    {
        Group = "rbac.authorization.k8s.io", Version = "v1", Plural = plural, Singular = singular, Kind = kind,
        Namespaced = namespaced, Columns = [TableColumn.NameColumn, TableColumn.Age()],
    };
}

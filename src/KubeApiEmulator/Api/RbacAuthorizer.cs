using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Resources;
using Forge.KubeApiEmulator.Storage;

namespace Forge.KubeApiEmulator.Api;

/// <summary>What a request asks to do, in the RBAC authorizer's terms.</summary>
internal sealed record ResourceAttributes(string Namespace, string Verb, string Group, string Resource, string Subresource, string Name);

/// <summary>
/// The RBAC authorizer over the stored Roles, ClusterRoles and bindings. Used for SelfSubjectAccessReviews
/// (<c>kubectl auth can-i</c>) and to enforce RBAC on requests made as a ServiceAccount (see
/// <see cref="CallerIdentity"/>); the emulator's default caller is an administrator.
/// </summary>
internal static class RbacAuthorizer
{
    /// <returns>The apiserver's "allowed by" reason, or null when no rule allows the request.</returns>
    public static string? AllowedBy(ObjectStore store, string user, IReadOnlyList<string> groups, ResourceAttributes request)
    {
        var allGroups = groups.Concat(ImpliedGroups(user)).ToHashSet();
        var bindings = store.List(BuiltInKinds.RoleBindings.Storage, request.Namespace).Items.Select(b => (Binding: b, Cluster: false))
            .Concat(store.List(BuiltInKinds.ClusterRoleBindings.Storage, null).Items.Select(b => (Binding: b, Cluster: true)));
        foreach (var (binding, cluster) in bindings)
        {
            if (!(binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Any(s => Matches(s, user, allGroups, JsonText.Str(binding, "metadata.namespace"))))
            {
                continue;
            }

            var roleKind = JsonText.Str(binding, "roleRef.kind");
            var roleName = JsonText.Str(binding, "roleRef.name") ?? "";
            var role = roleKind == "ClusterRole"
                ? store.Get(BuiltInKinds.ClusterRoles.Storage, "", roleName)
                : cluster ? null : store.Get(BuiltInKinds.Roles.Storage, request.Namespace, roleName);
            if (role is not null && (role["rules"] as JsonArray ?? []).OfType<JsonObject>().Any(r => Allows(r, request)))
            {
                return $"RBAC: allowed by {JsonText.Str(binding, "kind")} \"{JsonText.Str(binding, "metadata.name")}\" of {roleKind} \"{roleName}\" to {user}";
            }
        }

        return null;
    }

    /// <summary>The 403 the apiserver answers when RBAC denies a request.</summary>
    public static ApiException Forbidden(ResourceKind kind, string user, ResourceAttributes request)
    {
        var resource = request.Subresource.Length == 0 ? request.Resource : $"{request.Resource}/{request.Subresource}";
        var subject = request.Name.Length > 0 ? $"{kind.GroupResource} \"{request.Name}\"" : kind.GroupResource;
        var scope = request.Namespace.Length > 0 ? $"in the namespace \"{request.Namespace}\"" : "at the cluster scope";
        var details = new JsonObject();
        if (request.Name.Length > 0)
        {
            details["name"] = request.Name;
        }

        if (kind.Group.Length > 0)
        {
            details["group"] = kind.Group;
        }

        details["kind"] = kind.Plural;
        return new ApiException(403, "Forbidden",
            $"{subject} is forbidden: User \"{user}\" cannot {request.Verb} resource \"{resource}\" in API group \"{request.Group}\" {scope}",
            details);
    }

    private static IEnumerable<string> ImpliedGroups(string user)
    {
        yield return "system:authenticated";
        if (user.Split(':') is ["system", "serviceaccount", var ns, _])
        {
            yield return "system:serviceaccounts";
            yield return $"system:serviceaccounts:{ns}";
        }
    }

    private static bool Matches(JsonObject subject, string user, HashSet<string> groups, string? bindingNamespace) =>
        JsonText.Str(subject, "kind") switch
        {
            "ServiceAccount" => user == $"system:serviceaccount:{JsonText.Str(subject, "namespace") ?? bindingNamespace}:{JsonText.Str(subject, "name")}",
            "User" => user == JsonText.Str(subject, "name"),
            "Group" => groups.Contains(JsonText.Str(subject, "name") ?? ""),
            _ => false,
        };

    private static bool Allows(JsonObject rule, ResourceAttributes r)
    {
        static bool Has(JsonObject rule, string field, Func<string, bool> match) =>
            (rule[field] as JsonArray ?? []).Any(v => v is not null && match(v.GetValue<string>()));

        var full = r.Subresource.Length == 0 ? r.Resource : $"{r.Resource}/{r.Subresource}";
        return Has(rule, "verbs", v => v == "*" || v == r.Verb)
            && Has(rule, "apiGroups", g => g == "*" || g == r.Group)
            && Has(rule, "resources", x => x == "*" || x == full || (r.Subresource.Length > 0 && (x == $"{r.Resource}/*" || x == $"*/{r.Subresource}")))
            && (rule["resourceNames"] is not JsonArray { Count: > 0 } || Has(rule, "resourceNames", n => n == r.Name));
    }
}

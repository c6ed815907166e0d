using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Resources;
using Forge.KubeApiEmulator.Storage;

namespace Forge.KubeApiEmulator.Api;

/// <summary>
/// Answers SelfSubjectAccessReviews from the stored Roles, ClusterRoles and their bindings, as the RBAC
/// authorizer would, so <c>kubectl auth can-i VERB RESOURCE --as=system:serviceaccount:NS:NAME</c> checks the
/// project's real RBAC manifests. Without impersonation the caller is an administrator (the emulator has no
/// authentication).
/// </summary>
internal static class AccessReview
{
    public static JsonObject Review(ObjectStore store, JsonObject request, string? impersonatedUser, IReadOnlyList<string> impersonatedGroups)
    {
        var attributes = JsonText.At(request, "spec.resourceAttributes") as JsonObject ?? new JsonObject();
        var ns = JsonText.Str(attributes, "namespace") ?? "";
        var verb = JsonText.Str(attributes, "verb") ?? "";
        var group = JsonText.Str(attributes, "group") ?? "";
        var resource = JsonText.Str(attributes, "resource") ?? "";
        var subresource = JsonText.Str(attributes, "subresource") ?? "";
        var name = JsonText.Str(attributes, "name") ?? "";

        string? allowedBy = impersonatedUser is null ? "the emulator's caller is an administrator" : null;
        if (allowedBy is null)
        {
            var groups = impersonatedGroups.Concat(ImpliedGroups(impersonatedUser!)).ToHashSet();
            var bindings = store.List(BuiltInKinds.RoleBindings.Storage, ns).Items.Select(b => (Binding: b, Cluster: false))
                .Concat(store.List(BuiltInKinds.ClusterRoleBindings.Storage, null).Items.Select(b => (Binding: b, Cluster: true)));
            foreach (var (binding, cluster) in bindings)
            {
                if (!(binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Any(s => Matches(s, impersonatedUser!, groups, JsonText.Str(binding, "metadata.namespace"))))
                {
                    continue;
                }

                var roleKind = JsonText.Str(binding, "roleRef.kind");
                var roleName = JsonText.Str(binding, "roleRef.name") ?? "";
                var role = roleKind == "ClusterRole"
                    ? store.Get(BuiltInKinds.ClusterRoles.Storage, "", roleName)
                    : cluster ? null : store.Get(BuiltInKinds.Roles.Storage, ns, roleName);
                if (role is not null && (role["rules"] as JsonArray ?? []).OfType<JsonObject>().Any(r => Allows(r, verb, group, resource, subresource, name)))
                {
                    allowedBy = $"RBAC: allowed by {JsonText.Str(binding, "kind")} \"{JsonText.Str(binding, "metadata.name")}\" of {roleKind} \"{roleName}\" to {impersonatedUser}";
                    break;
                }
            }
        }

        var response = JsonText.Clone(request);
        response["apiVersion"] = "authorization.k8s.io/v1";
        response["kind"] = "SelfSubjectAccessReview";
        response["metadata"] = new JsonObject();
        response["status"] = allowedBy is null
            ? new JsonObject { ["allowed"] = false }
            : new JsonObject { ["allowed"] = true, ["reason"] = allowedBy };
        return response;
    }

    private static IEnumerable<string> ImpliedGroups(string user)
    {
        yield return "system:authenticated";
        var parts = user.Split(':');
        if (parts is ["system", "serviceaccount", var ns, _])
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

    private static bool Allows(JsonObject rule, string verb, string group, string resource, string subresource, string name)
    {
        static bool Has(JsonObject rule, string field, Func<string, bool> match) =>
            (rule[field] as JsonArray ?? []).Any(v => v is not null && match(v.GetValue<string>()));

        var full = subresource.Length == 0 ? resource : $"{resource}/{subresource}";
        return Has(rule, "verbs", v => v == "*" || v == verb)
            && Has(rule, "apiGroups", g => g == "*" || g == group)
            && Has(rule, "resources", r => r == "*" || r == full || (subresource.Length > 0 && (r == $"{resource}/*" || r == $"*/{subresource}")))
            && (rule["resourceNames"] is not JsonArray { Count: > 0 } || Has(rule, "resourceNames", n => n == name));
    }
}

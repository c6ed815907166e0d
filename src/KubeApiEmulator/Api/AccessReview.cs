using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Storage;

namespace Forge.KubeApiEmulator.Api;

/// <summary>
/// Answers a SelfSubjectAccessReview (<c>kubectl auth can-i VERB RESOURCE [--as=USER]</c>) with the RBAC
/// authorizer, for the calling user. An administrator is always allowed.
/// </summary>
internal static class AccessReview
{
    public static JsonObject Review(ObjectStore store, JsonObject request, CallerIdentity caller)
    {
        var a = JsonText.At(request, "spec.resourceAttributes") as JsonObject ?? new JsonObject();
        var attributes = new ResourceAttributes(
            JsonText.Str(a, "namespace") ?? "", JsonText.Str(a, "verb") ?? "", JsonText.Str(a, "group") ?? "",
            JsonText.Str(a, "resource") ?? "", JsonText.Str(a, "subresource") ?? "", JsonText.Str(a, "name") ?? "");
        var allowedBy = caller.IsAdministrator
            ? "the emulator's default caller is an administrator"
            : RbacAuthorizer.AllowedBy(store, caller.User, caller.Groups, attributes);

        var response = JsonText.Clone(request);
        response["apiVersion"] = "authorization.k8s.io/v1";
        response["kind"] = "SelfSubjectAccessReview";
        response["metadata"] = new JsonObject();
        response["status"] = allowedBy is null
            ? new JsonObject { ["allowed"] = false }
            : new JsonObject { ["allowed"] = true, ["reason"] = allowedBy };
        return response;
    }
}

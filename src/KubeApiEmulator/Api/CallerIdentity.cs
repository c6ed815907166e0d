using Microsoft.AspNetCore.Http;

namespace Forge.KubeApiEmulator.Api;

/// <summary>
/// Who a request runs as. The emulator has no authentication: by default the caller is an administrator.
/// A bearer token that is a ServiceAccount user name (<c>system:serviceaccount:NS:NAME</c>, what
/// <see cref="Kubeconfig.Render"/> writes for a ServiceAccount) or impersonation (<c>kubectl --as</c>) makes the
/// request run as that user, and RBAC is then enforced from the stored Roles and bindings.
/// </summary>
internal sealed record CallerIdentity(string User, IReadOnlyList<string> Groups)
{
    private const string Administrator = "kubernetes-admin";

    public bool IsAdministrator => User == Administrator;

    public static CallerIdentity Of(HttpContext ctx)
    {
        var impersonated = ctx.Request.Headers["Impersonate-User"].ToString();
        var groups = ctx.Request.Headers["Impersonate-Group"].Select(g => g ?? "").ToList();
        if (impersonated.Length > 0)
        {
            return new CallerIdentity(impersonated, groups);
        }

        var authorization = ctx.Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..].Trim() : "";
        return token.StartsWith("system:serviceaccount:", StringComparison.Ordinal)
            ? new CallerIdentity(token, [])
            : new CallerIdentity(Administrator, ["system:masters"]);
    }
}

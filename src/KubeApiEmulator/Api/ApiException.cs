using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator;

/// <summary>An error answered as a Kubernetes <c>Status</c> object; kubectl prints its message and reason verbatim.</summary>
internal sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject Details { get; } = details ?? new JsonObject();

    public JsonObject ToStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = Reason,
        ["details"] = Details.DeepClone(),
        ["code"] = Code,
    };

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException NotFoundGeneric() =>
        new(404, "NotFound", "the server could not find the requested resource");

    public static ApiException NotFound(string groupResource, string group, string plural, string name) =>
        new(404, "NotFound", $"{groupResource} \"{name}\" not found", DetailsOf(name, group, plural));

    public static ApiException AlreadyExists(string groupResource, string group, string plural, string name) =>
        new(409, "AlreadyExists", $"{groupResource} \"{name}\" already exists", DetailsOf(name, group, plural));

    public static ApiException Conflict(string groupResource, string group, string plural, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {groupResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            DetailsOf(name, group, plural));

    public static ApiException UnsupportedMediaType() =>
        new(415, "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");

    public static ApiException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

    public static ApiException Gone(string message) => new(410, "Expired", message);

    public static ApiException Unavailable() =>
        new(503, "ServiceUnavailable", "the server is currently unable to handle the request");

    private static JsonObject DetailsOf(string name, string group, string plural)
    {
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = plural;
        return details;
    }
}

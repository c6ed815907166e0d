using System.Text;
using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Microsoft.AspNetCore.Http;

namespace Forge.KubeApiEmulator.Api;

/// <summary>Reading request bodies and writing JSON answers.</summary>
internal static class HttpIo
{
    public static async Task WriteJsonAsync(HttpContext ctx, int code, JsonNode body, string contentType = "application/json")
    {
        var bytes = Encoding.UTF8.GetBytes(JsonText.Serialize(body));
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    public static async Task<string> ReadBodyAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(ctx.RequestAborted);
    }

    public static async Task<byte[]> ReadBytesAsync(HttpContext ctx)
    {
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        return buffer.ToArray();
    }

    /// <summary>The media type without parameters ("application/merge-patch+json; charset=utf-8" → "application/merge-patch+json").</summary>
    public static string MediaType(string? header) =>
        (header ?? "").Split(';')[0].Trim().ToLowerInvariant();

    /// <summary>A create/update body: JSON, or YAML when the client says so.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpContext ctx)
    {
        var text = await ReadBodyAsync(ctx);
        var media = MediaType(ctx.Request.ContentType);
        if (media is "application/yaml" or "application/x-yaml")
        {
            return YamlToJson.ParseObject(text);
        }

        if (media is not ("" or "application/json" or "*/*"))
        {
            throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
        }

        return JsonText.ParseObject(text);
    }

    /// <summary>kubectl's human output asks for <c>as=Table</c> (meta.k8s.io); everything else gets plain JSON.</summary>
    public static bool WantsTable(HttpContext ctx) =>
        ctx.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);
}

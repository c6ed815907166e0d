using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Schema;
using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Emulator;

/// <summary>The CRD's own schema through the emulator's structural schema code: defaults, pruning, messages.</summary>
public sealed class SchemaValidationTests
{
    private static readonly JsonObject Schema = (JsonObject)JsonText.At(
        YamlToJson.ParseObject(File.ReadAllText(RepoPaths.Crd)), "spec.versions")![0]!["schema"]!["openAPIV3Schema"]!;

    private static JsonObject Cluster(string spec) => JsonText.ParseObject(
        $$"""{"apiVersion":"cardano.io/v1","kind":"CardanoForgeCluster","metadata":{"name":"c"},"spec":{{spec}}}""");

    private static JsonObject WithExpiry(string value)
    {
        var obj = Cluster("""{"region":"us-east-1","priority":1}""");
        obj["spec"]!["override"] = new JsonObject { ["expiresAt"] = value };
        return obj;
    }

    private static List<string> Errors(JsonObject obj)
    {
        StructuralSchema.Normalize(obj, Schema);
        return SchemaValidator.Validate(obj, Schema).Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void Defaults_fill_forge_state_and_health_check_settings()
    {
        var obj = Cluster("""{"region":"us-east-1","priority":1,"healthCheck":{"endpoint":"http://x"}}""");

        Assert.Empty(Errors(obj));
        Assert.Equal("Priority-based", JsonText.Str(obj, "spec.forgeState"));
        Assert.Equal("30s", JsonText.Str(obj, "spec.healthCheck.interval"));
        Assert.Equal(3, JsonText.Long(JsonText.At(obj, "spec.healthCheck.failureThreshold")));
        Assert.Null(JsonText.At(obj, "spec.override"));
    }

    [Fact]
    public void Unknown_fields_are_pruned_and_reported()
    {
        var obj = Cluster("""{"region":"us-east-1","priority":1,"colour":"blue","healthCheck":{"headers":{"X-Token":"t"},"retries":2}}""");

        var unknown = StructuralSchema.Normalize(obj, Schema);

        Assert.Equal(["spec.colour", "spec.healthCheck.retries"], unknown);
        Assert.Equal("t", JsonText.Str(obj, "spec.healthCheck.headers.X-Token"));
    }

    [Fact]
    public void Nulls_are_dropped_before_defaulting()
    {
        var obj = Cluster("""{"region":"us-east-1","priority":1,"forgeState":null,"override":null}""");

        Assert.Empty(Errors(obj));
        Assert.Equal("Priority-based", JsonText.Str(obj, "spec.forgeState"));
        Assert.Null(JsonText.At(obj, "spec.override"));
    }

    [Theory]
    [InlineData("2026-11-27T12:00:00+00:00")]
    [InlineData("2026-11-27T12:00:00Z")]
    [InlineData("2026-11-27T12:00:00.123456Z")]
    [InlineData("2026-11-27T12:00:00-05:00")]
    public void Date_times_with_offsets_are_accepted(string value) =>
        Assert.Empty(Errors(WithExpiry(value)));

    [Theory]
    [InlineData("2026-13-27T12:00:00Z")]
    [InlineData("2026-11-27")]
    [InlineData("tomorrow")]
    [InlineData("2026-11-27T25:00:00Z")]
    public void Malformed_date_times_are_refused(string value) =>
        Assert.Equal(
            [$"spec.override.expiresAt: Invalid value: \"{value}\": spec.override.expiresAt in body must be of type date-time: \"{value}\""],
            Errors(WithExpiry(value)));

    [Fact]
    public void Each_violation_has_the_apiservers_wording()
    {
        var errors = Errors(Cluster("""
            {"region":"Bad Region","priority":1000,"forgeState":"Maybe",
             "override":{"enabled":"yes","forcePriority":0},
             "healthCheck":{"interval":"30 seconds","failureThreshold":0,"headers":{"a":1}},
             "pool":{"ticker":"AB","idHex":"xyz"},"network":{"magic":-1}}
            """));

        Assert.Equal(
        [
            "spec.region: Invalid value: \"Bad Region\": spec.region in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'",
            "spec.priority: Invalid value: 1000: spec.priority in body should be less than or equal to 999",
            "spec.forgeState: Unsupported value: \"Maybe\": supported values: \"Priority-based\", \"Enabled\", \"Disabled\"",
            "spec.override.enabled: Invalid value: \"string\": spec.override.enabled in body must be of type boolean: \"string\"",
            "spec.override.forcePriority: Invalid value: 0: spec.override.forcePriority in body should be greater than or equal to 1",
            "spec.healthCheck.interval: Invalid value: \"30 seconds\": spec.healthCheck.interval in body should match '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'",
            "spec.healthCheck.failureThreshold: Invalid value: 0: spec.healthCheck.failureThreshold in body should be greater than or equal to 1",
            "spec.healthCheck.headers.a: Invalid value: \"integer\": spec.healthCheck.headers.a in body must be of type string: \"integer\"",
            "spec.pool.ticker: Invalid value: \"AB\": spec.pool.ticker in body should be at least 3 chars long",
            "spec.pool.idHex: Invalid value: \"xyz\": spec.pool.idHex in body should match '^[0-9a-f]{56}$'",
            "spec.network.magic: Invalid value: -1: spec.network.magic in body should be greater than or equal to 0",
        ], errors);
    }

    [Fact]
    public void Missing_required_fields_are_named()
    {
        Assert.Equal(["spec.region: Required value", "spec.priority: Required value"], Errors(Cluster("{}")));
        Assert.Equal(["spec: Required value"], Errors(JsonText.ParseObject("""{"apiVersion":"cardano.io/v1","kind":"CardanoForgeCluster","metadata":{"name":"c"}}""")));
    }

    [Fact]
    public void Status_conditions_are_validated_too()
    {
        var obj = Cluster("""{"region":"us-east-1","priority":1}""");
        obj["status"] = JsonNode.Parse("""{"conditions":[{"type":"Forging","status":"Yes"}],"forgingEnabled":true}""");

        Assert.Equal(["status.conditions[0].status: Unsupported value: \"Yes\": supported values: \"True\", \"False\", \"Unknown\""], Errors(obj));
    }
}

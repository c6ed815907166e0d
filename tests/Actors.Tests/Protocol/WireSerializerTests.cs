using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Forge.Protocol;
using Xunit;

namespace Forge.Tests.Protocol;

public sealed class WireSerializerTests : IDisposable
{
    private static readonly NodeId Node = NodeId.Parse("us-east-1-prod/cardano-bp-0");
    private static readonly Guid Inc = Guid.Parse("6f1c2a9e-4a58-4d0b-9a51-0c3b8e7d2f11");
    private static readonly TermId Term = new(7, "coord-us-east-1-0");

    private readonly ActorSystem _system = ActorSystem.Create("wire",
        ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "serialization.conf"))));

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    /// <summary>One sample of every agent-protocol message.</summary>
    public static TheoryData<IForgeWireMessage> AgentMessages() => new()
    {
        new RegisterAgent(AgentProtocol.Version, "pool1abc", Node, "us-east-1", Inc,
            new CredentialFingerprint("ab12", 3, 410, 55), AgentMode.Cluster),
        new AgentRegistered(Node, Inc, "coord-a"),
        new AgentRefused(Node, Inc, "credentials registered under pool pool1xyz"),
        new NodeStatusReport(Node, Inc, 42, true, true, 1000, 1003, VerifiedForging.On, SignalOutcome.Verified, 12, Term),
        new NodeStatusReport(Node, Inc, 43, true, true, 1000, 1003, VerifiedForging.Off, SignalOutcome.NodeRejected, 12, TermId.None,
            new DateTimeOffset(2026, 11, 27, 11, 30, 5, 123, TimeSpan.Zero)),
        new Grant("pool1abc", Node, Inc, Term, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5420), "spec change"),
        new GrantRequest("pool1abc", Node, Inc, Term, 9),
        new Renew("pool1abc", Node, Inc, Term, 10),
        new Renewed(Node, Inc, Term, TimeSpan.FromSeconds(5), 10, ["us-east-1", "us-west-2"]),
        new RenewRefused(Node, Inc, Term, 11, "superseded by 8@coord-b"),
        new Revoke("pool1abc", Node, Inc, Term, true, "maintenance"),
        new Released("pool1abc", Node, Inc, Term, "revoked"),
        new HandoverRequest("pool1abc", Node, Inc, Term, "SIGTERM"),
        new ClusterInfo("us-east-1-prod", "us-east-1", 1, 1, "Priority-based", ClusterHealth.Healthy, 3),
        new Ping(5),
        new Pong(5),
        new StandaloneTermRequest("pool1abc", Node, "eu-west-1", Inc, TimeSpan.FromSeconds(15), 12),
        new StandaloneTermRefused(Node, Inc, 12, StandaloneRefusal.HeldByLiveTerm, Term, "standalone region term 7@coord-b holds the pool"),
    };

    [Theory]
    [MemberData(nameof(AgentMessages))]
    public void Codec_round_trips_every_agent_message(IForgeWireMessage message)
    {
        var back = WireCodec.Decode(WireCodec.ManifestOf(message), WireCodec.Encode(message));
        AssertSame(message, back);
    }

    [Theory]
    [MemberData(nameof(AgentMessages))]
    public void Akka_uses_the_forge_serializer_and_round_trips(IForgeWireMessage message)
    {
        var serialization = _system.Serialization;
        var serializer = serialization.FindSerializerFor(message);
        Assert.IsType<ForgeWireSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        AssertSame(message, serialization.Deserialize(bytes, serializer.Identifier, manifest));
    }

    [Theory]
    [MemberData(nameof(AgentMessages))]
    public async Task Frames_round_trip_over_a_stream(IForgeWireMessage message)
    {
        using var stream = new MemoryStream();
        await WireFrames.WriteAsync(stream, message, CancellationToken.None);
        await WireFrames.WriteAsync(stream, new Ping(1), CancellationToken.None);
        stream.Position = 0;
        AssertSame(message, await WireFrames.ReadAsync(stream, CancellationToken.None));
        Assert.Equal(new Ping(1), await WireFrames.ReadAsync(stream, CancellationToken.None));
        Assert.Null(await WireFrames.ReadAsync(stream, CancellationToken.None));
    }

    [Fact]
    public void Every_agent_protocol_type_has_a_sample()
    {
        var sampled = ((IEnumerable<object[]>)AgentMessages()).Select(r => r[0].GetType()).ToHashSet();
        var all = typeof(IAgentProtocolMessage).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(IAgentProtocolMessage).IsAssignableFrom(t));
        Assert.Empty(all.Except(sampled));
    }

    [Fact]
    public void A_status_report_without_the_signal_time_decodes_as_unknown_time()
    {
        // What an agent built before lastSignalAt existed sends: the field is absent.
        var at = new DateTimeOffset(2026, 11, 27, 11, 30, 5, TimeSpan.Zero);
        var report = new NodeStatusReport(Node, Inc, 7, true, true, 1000, 1003, VerifiedForging.On, SignalOutcome.Verified, 12, Term, at);
        var json = System.Text.Json.Nodes.JsonNode.Parse(WireCodec.Encode(report))!.AsObject();
        Assert.Equal(at, json["lastSignalAt"]!.GetValue<DateTimeOffset>());
        json.Remove("lastSignalAt");
        var old = (NodeStatusReport)WireCodec.Decode(WireCodec.ManifestOf(report), System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
        Assert.Null(old.LastSignalAt);
        Assert.Equal(report with { LastSignalAt = null }, old);
    }

    [Fact]
    public void Unknown_manifest_and_garbage_are_refused_with_a_clear_error()
    {
        Assert.Contains("unknown wire manifest", Assert.Throws<WireFormatException>(() => WireCodec.Decode("Nope", "{}"u8)).Message);
        Assert.Contains("malformed 'Protocol.Ping'", Assert.Throws<WireFormatException>(() => WireCodec.Decode("Protocol.Ping", "{]"u8)).Message);
        Assert.Throws<WireFormatException>(() => WireCodec.Decode("Protocol.RegisterAgent", """{"node":"no-slash"}"""u8));
        // A type that exists but is not a wire message is not decodable.
        Assert.Contains("unknown wire manifest", Assert.Throws<WireFormatException>(() => WireCodec.Decode("Protocol.SyncDefinition", "{}"u8)).Message);
        Assert.Equal("Protocol.Renewed", WireCodec.ManifestOf(new Renewed(Node, Inc, Term, TimeSpan.FromSeconds(5), 1, [])));
    }

    [Fact]
    public async Task Oversized_or_truncated_frames_are_refused()
    {
        using var huge = new MemoryStream([0x7f, 0xff, 0xff, 0xff, 0]);
        await Assert.ThrowsAsync<WireFormatException>(() => WireFrames.ReadAsync(huge, CancellationToken.None));
        using var cut = new MemoryStream([0, 0, 0, 10, 4, (byte)'P']);
        await Assert.ThrowsAsync<WireFormatException>(() => WireFrames.ReadAsync(cut, CancellationToken.None));
    }

    [Fact]
    public void Wire_never_carries_key_material_fields()
    {
        // The fingerprint is the only credential information on the wire: hash, counter, KES period.
        var json = System.Text.Encoding.UTF8.GetString(WireCodec.Encode(
            new RegisterAgent(1, "p", Node, "r", Inc, new CredentialFingerprint("h", 1, 2, 3), AgentMode.Cluster)));
        Assert.DoesNotContain("cborHex", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("signingKey", json, StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertSame(IForgeWireMessage expected, object? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.GetType(), actual.GetType());
        // Records with ImmutableArray compare arrays by reference; compare their encodings instead.
        Assert.Equal(WireCodec.Encode(expected), WireCodec.Encode((IForgeWireMessage)actual));
        if (expected is Renewed r) Assert.Equal(r.AcceptedByRegions.ToArray(), ((Renewed)actual).AcceptedByRegions.ToArray());
        else Assert.Equal(expected, actual);
    }
}

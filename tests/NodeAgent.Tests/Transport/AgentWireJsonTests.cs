using System.Text.Json;
using Forge.Protocol;
using Xunit;

namespace Forge.NodeAgent.Tests.Transport;

/// <summary>The Native AOT agent encodes its link with source-generated JSON (<see cref="AgentWireJson"/>); the
/// coordinators decode what it sends. These pin that the generated code covers the whole agent protocol and writes
/// exactly what the reflection options write.</summary>
public sealed class AgentWireJsonTests
{
    private static readonly NodeId Node = new("eu-west-1-prod", "cardano-bp-1");
    private static readonly Guid Inc = Guid.Parse("0b8f3d52-2c7e-4f0a-8d11-5e9a7c4b6d20");
    private static readonly TermId Term = new(12, "coord-eu-west-1-0");

    [Fact]
    public void Every_agent_protocol_message_has_generated_json()
    {
        var all = typeof(IAgentProtocolMessage).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IAgentProtocolMessage).IsAssignableFrom(t));
        Assert.Empty(all.Where(t => !AgentWireJson.ByType.ContainsKey(t)).Select(t => t.FullName));
    }

    public static TheoryData<IAgentProtocolMessage> Samples() => new()
    {
        new RegisterAgent(AgentProtocol.Version, "pool1xyz", Node, "eu-west-1", Inc, new CredentialFingerprint("cd34", 4, 411, null),
            AgentMode.SingleCluster),
        new AgentRegistered(Node, Inc, "coord-b", AgentProtocol.Revision),
        new NodeStatusReport(Node, Inc, 7, false, false, -1, 2_000, VerifiedForging.Unknown, SignalOutcome.Killed, null, TermId.None,
            new DateTimeOffset(2026, 11, 27, 17, 0, 1, 5, TimeSpan.Zero)),
        new Grant("pool1xyz", Node, Inc, Term, TimeSpan.FromMilliseconds(15_250), TimeSpan.Zero, "standalone"),
        new Renewed(Node, Inc, Term, TimeSpan.FromSeconds(15), 3, ["eu-west-1"]),
        new StandaloneTermRequest("pool1xyz", Node, "eu-west-1", Inc, TimeSpan.FromSeconds(15), 4, Term),
        new StandaloneTermRefused(Node, Inc, 4, StandaloneRefusal.NoMajority, TermId.None, "no majority"),
        new ClusterInfo("eu-west-1-prod", "eu-west-1", 2, 3, "Disabled", ClusterHealth.Unhealthy, 9),
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Generated_json_is_byte_for_byte_the_reflection_encoding_and_decodes_back(IAgentProtocolMessage message)
    {
        var generated = WireCodec.Encode(message);
        Assert.Equal(JsonSerializer.Serialize(message, message.GetType(), WireCodec.Json), System.Text.Encoding.UTF8.GetString(generated));
        var back = WireCodec.Decode(WireCodec.ManifestOf(message), generated);
        Assert.Equal(JsonSerializer.Serialize(message, message.GetType(), WireCodec.Json),
            JsonSerializer.Serialize(back, back.GetType(), WireCodec.Json));
    }

    [Fact]
    public void A_revision_one_registration_answer_decodes_with_revision_one()
    {
        var json = """{"node":"eu-west-1-prod/cardano-bp-1","incarnation":"0b8f3d52-2c7e-4f0a-8d11-5e9a7c4b6d20","coordinatorId":"c"}"""u8;
        Assert.Equal(1, Assert.IsType<AgentRegistered>(WireCodec.Decode("Protocol.AgentRegistered", json)).Revision);
    }
}

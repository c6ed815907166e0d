using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Patching;
using Forge.KubeApiEmulator.Selectors;

namespace Forge.Kubernetes.Tests.Emulator;

public sealed class PatchAndSelectorTests
{
    [Fact]
    public void Merge_patch_merges_objects_deletes_nulls_and_replaces_lists()
    {
        var target = JsonNode.Parse("""{"a":{"b":1,"c":2},"l":[1,2],"k":"v"}""");

        var result = MergePatch.Apply(target, JsonNode.Parse("""{"a":{"b":null,"d":3},"l":[9],"k":null}"""));

        Assert.Equal("""{"a":{"c":2,"d":3},"l":[9]}""", result!.ToJsonString());
    }

    [Fact]
    public void Json_patch_applies_operations_in_order_and_tests_values()
    {
        var doc = JsonText.ParseObject("""{"spec":{"priority":1,"list":["a"]}}""");
        var ops = JsonNode.Parse("""
            [{"op":"test","path":"/spec/priority","value":1},
             {"op":"replace","path":"/spec/priority","value":2},
             {"op":"add","path":"/spec/list/-","value":"b"},
             {"op":"copy","from":"/spec/priority","path":"/spec/copy"},
             {"op":"move","from":"/spec/copy","path":"/spec/moved"},
             {"op":"remove","path":"/spec/list/0"}]
            """)!.AsArray();

        Assert.Equal("""{"spec":{"priority":2,"list":["b"],"moved":2}}""", JsonPatch.Apply(doc, ops).ToJsonString());
        Assert.Throws<Forge.KubeApiEmulator.ApiException>(() =>
            JsonPatch.Apply(doc, JsonNode.Parse("""[{"op":"test","path":"/spec/priority","value":5}]""")!.AsArray()));
    }

    [Theory]
    [InlineData("app=cardano-node", true)]
    [InlineData("app==cardano-node,tier", true)]
    [InlineData("app!=cardano-node", false)]
    [InlineData("app in (cardano-node, relay)", true)]
    [InlineData("app notin (cardano-node)", false)]
    [InlineData("!tier", false)]
    [InlineData("!zone,app", true)]
    [InlineData("", true)]
    public void Label_selectors_match_like_the_apiserver(string selector, bool matches)
    {
        var pod = JsonText.ParseObject("""{"metadata":{"labels":{"app":"cardano-node","tier":"bp"}}}""");

        Assert.Equal(matches, LabelSelector.Parse(selector).Matches(pod));
    }

    [Theory]
    [InlineData("involvedObject.name=us-east-1-prod,involvedObject.kind=CardanoForgeCluster", true)]
    [InlineData("involvedObject.name!=us-east-1-prod", false)]
    [InlineData("metadata.namespace==cardano", true)]
    [InlineData("involvedObject.uid=", false)]
    [InlineData("reason=a\\,b", true)]
    public void Field_selectors_compare_any_dotted_field(string selector, bool matches)
    {
        var ev = JsonText.ParseObject("""{"metadata":{"namespace":"cardano"},"reason":"a,b","involvedObject":{"name":"us-east-1-prod","kind":"CardanoForgeCluster","uid":"u1"}}""");

        Assert.Equal(matches, FieldSelector.Parse(selector).Matches(ev));
    }
}

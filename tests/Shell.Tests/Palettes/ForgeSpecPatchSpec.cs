using Forge.Decider;
using Forge.Kubernetes;
using Forge.Shell.Palettes.Forge;
using Xunit;

namespace Forge.Shell.Tests.Palettes;

public class ForgeSpecPatchSpec
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Restore_is_the_patch_the_projection_writes_when_an_override_expires(bool resetDisabled) =>
        Assert.Equal(SpecPatches.Restore(resetDisabled).ToJsonString(), ForgeSpecPatch.Restore("a", resetDisabled).ToSpecMergePatch().ToJsonString());

    [Fact]
    public void Failover_writes_enabled_forceState_reason_and_expiry_and_leaves_forcePriority()
    {
        var at = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var patch = ForgeSpecPatch.Failover("us-west-2-prod", "maintenance", at);
        Assert.Equal("""{"spec":{"override":{"enabled":true,"forceState":"Enabled","reason":"maintenance","expiresAt":"2030-01-02T03:04:05Z"}}}""",
            patch.ToMergePatchJson());
        var spec = patch.ApplyTo(new ClusterSpec("us-west-2", 2, Override: new OverrideSpec(false, "old", ForcePriority: 1)));
        Assert.Equal(new OverrideSpec(true, "maintenance", "2030-01-02T03:04:05Z", 1, ForgeStates.EnabledText), spec.Override);
    }

    [Fact]
    public void Restore_applied_keeps_the_rest_of_the_override()
    {
        var spec = new ClusterSpec("us-east-1", 1, ForgeStates.DisabledText, new OverrideSpec(true, "m", null, null, ForgeStates.DisabledText));
        var restored = ForgeSpecPatch.Restore("us-east-1-prod", true).ApplyTo(spec);
        Assert.Equal(ForgeStates.PriorityBasedText, restored.ForgeState);
        Assert.Equal(new OverrideSpec(false, "m", null, null, ForgeStates.DisabledText), restored.Override);
    }
}

namespace Forge.FaultInjection.Running;

/// <summary>The forger's region loses its Kubernetes API for the pause plus one grant TTL: down (connections refused and
/// watches reset by nft in the region's namespace; 503 for everything without --region-netns) or hanging (the
/// emulator's hang mode: requests and watches never answered, as a SIGSTOPped apiserver).</summary>
public static partial class Scenarios
{
    private static readonly HttpClient EmulatorHooks = new() { Timeout = TimeSpan.FromSeconds(5) };

    private static Scenario[] KubeApiScenarios =>
    [
        new("kube-api-down", "the forger's region's Kubernetes API down (connections refused), then back", KubeApiDownAsync),
        new("kube-api-hang", "the forger's region's Kubernetes API hanging (nothing answered), then back",
            c => KubeApiModeAsync(c, "hang", "hanging")),
    ];

    private static Task<Fault> KubeApiDownAsync(FaultContext c)
    {
        var region = ForgerRegion(c);
        return region.Netns is null ? KubeApiModeAsync(c, "unavailable", "answering 503") : HoldAsync(c, region,
            () => NetworkFaults.RejectKubeApi(region), () => NetworkFaults.Heal(c.Manifest), "refusing connections (nft reject in its namespace)");
    }

    private static Task<Fault> KubeApiModeAsync(FaultContext c, string mode, string described)
    {
        var region = ForgerRegion(c);
        return HoldAsync(c, region, () => EmulatorFault(region, mode), () => EmulatorFault(region, "none"), described);
    }

    private static async Task<Fault> HoldAsync(FaultContext c, RegionEntry region, Action inject, Action restore, string described)
    {
        var hold = c.PauseFor + c.GrantTtl;
        var at = Native.MonoNow();
        try
        {
            inject();
            await Task.Delay(hold).ConfigureAwait(false); // the outage held is the fault itself
        }
        finally
        {
            restore();
        }
        return new Fault($"{region.Name}'s API ({region.KubeApi}) {described} for {hold.TotalSeconds:0.#} s", at, [], at)
            { HealedMono = Native.MonoNow() };
    }

    /// <summary>POST /_emulator/fault?mode=... on the region's emulator (its test hook).</summary>
    private static void EmulatorFault(RegionEntry region, string mode)
    {
        using var response = EmulatorHooks.PostAsync(new Uri($"{region.KubeApi.TrimEnd('/')}/_emulator/fault?mode={mode}"), null)
            .GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{region.Name}'s emulator refused fault mode {mode}: {(int)response.StatusCode}");
    }

    private static RegionEntry ForgerRegion(FaultContext c) => c.Manifest.Regions.First(r => r.Nodes.Any(n => n.Id == c.Forger.Id));
}

using System.Collections.Immutable;

namespace Forge.KubeApiEmulator.Resources;

/// <summary>
/// The served resource types: the built-ins plus whatever the stored CRDs define. Swapped atomically when a
/// CRD is created, updated or deleted, so a request sees one consistent set.
/// </summary>
internal sealed class ResourceRegistry
{
    private readonly object _gate = new();
    private ImmutableDictionary<string, ImmutableArray<ResourceKind>> _byCrd = ImmutableDictionary<string, ImmutableArray<ResourceKind>>.Empty;
    private ImmutableArray<ResourceKind> _all = [.. BuiltInKinds.All];

    public ImmutableArray<ResourceKind> All => _all;

    public ResourceKind? Find(string group, string version, string plural) =>
        _all.FirstOrDefault(k => k.Group == group && k.Version == version && k.Plural == plural);

    public IEnumerable<string> GroupVersions =>
        _all.Select(k => k.GroupVersion).Distinct();

    public void Register(string crdName, IReadOnlyList<ResourceKind> kinds)
    {
        lock (_gate)
        {
            _byCrd = _byCrd.SetItem(crdName, [.. kinds]);
            Rebuild();
        }
    }

    public void Unregister(string crdName)
    {
        lock (_gate)
        {
            _byCrd = _byCrd.Remove(crdName);
            Rebuild();
        }
    }

    private void Rebuild() =>
        _all = [.. BuiltInKinds.All, .. _byCrd.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value)];
}

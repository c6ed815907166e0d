using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Api;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Resources;
using Forge.KubeApiEmulator.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Forge.KubeApiEmulator;

/// <summary>
/// An in-memory stand-in for the slice of the Kubernetes API that kubectl and KubernetesClient use for this
/// product (CRDs and their custom resources, Events, Leases, read-only Pods with logs and StatefulSets).
/// A development and test tool, not a Kubernetes: no authentication (callers are administrators unless they
/// act as a ServiceAccount, then RBAC applies), no admission, no controllers, nothing persisted.
/// </summary>
public sealed class KubeApiEmulatorServer : IAsyncDisposable
{
    private readonly EmulatorOptions _options;
    private readonly ResourceRegistry _registry = new();
    private readonly ResourceService _service;
    private readonly PodLogs _logs;
    private readonly RequestRouter _router;
    private readonly RequestLog _requests;
    private readonly PodDeletions _deletions;
    private WebApplication? _app;
    private FaultMode _fault;

    public KubeApiEmulatorServer(EmulatorOptions options)
    {
        options.Validate();
        _options = options;
        _service = new ResourceService(new ObjectStore(options.HistoryLimit), _registry, options.Clock);
        _logs = new PodLogs(_service);
        var faults = new FaultSwitch();
        _requests = new RequestLog(options.Clock);
        _deletions = new PodDeletions(_service, options.Clock, Removed);
        _router = new RequestRouter(_service, _registry, faults, new WatchStream(_service, faults, options.Clock), _logs, _deletions, _requests, options.Clock);

        foreach (var ns in options.Namespaces.Append("default").Distinct())
        {
            EnsureNamespace(ns);
        }

        foreach (var path in options.CrdPaths)
        {
            ApplyManifest(File.ReadAllText(path));
        }
    }

    /// <summary>"http://127.0.0.1:PORT" once started.</summary>
    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The current global resourceVersion (grows with every write).</summary>
    public long ResourceVersion => _service.Store.CurrentResourceVersion;

    /// <summary>Injected failure mode; see <see cref="FaultMode"/>.</summary>
    public FaultMode Fault
    {
        get => _fault;
        set
        {
            _fault = value;
            _router.SetFault(value);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        // Open watches, followed logs and requests held by FaultMode.Hang need not drain: stop quickly.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(_options.Host), _options.Port));
        _app = builder.Build();
        _app.Run(_router.HandleAsync);
        await _app.StartAsync(cancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null)
        {
            _service.Store.CloseAllWatches();
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>
    /// Writes a kubeconfig for this emulator (current context's namespace = <paramref name="defaultNamespace"/>).
    /// With <paramref name="serviceAccount"/> ("NAMESPACE:NAME") its requests run as that ServiceAccount and RBAC
    /// from the stored Roles and bindings applies; otherwise as an administrator.
    /// </summary>
    public string WriteKubeconfig(string path, string defaultNamespace = "cardano", string? serviceAccount = null)
    {
        Kubeconfig.Write(path, BaseUrl, defaultNamespace, serviceAccount: serviceAccount);
        return path;
    }

    /// <summary>
    /// Creates or updates (merges) every object of a YAML manifest, validated like a client's write; CRDs register
    /// their types at once. Namespaced objects without a namespace go to <paramref name="defaultNamespace"/>.
    /// </summary>
    public void ApplyManifest(string yaml, string defaultNamespace = "cardano")
    {
        foreach (var doc in YamlToJson.ParseDocuments(yaml))
        {
            var apiVersion = JsonText.Str(doc, "apiVersion") ?? "";
            var (group, version) = apiVersion.Contains('/') ? (apiVersion.Split('/')[0], apiVersion.Split('/')[1]) : ("", apiVersion);
            var kind = _registry.All.FirstOrDefault(k => k.Group == group && k.Version == version && k.Kind == JsonText.Str(doc, "kind"))
                ?? throw new InvalidOperationException($"no served kind for {apiVersion} {JsonText.Str(doc, "kind")}");
            var ns = kind.Namespaced ? JsonText.Str(doc, "metadata.namespace") ?? defaultNamespace : "";
            var name = JsonText.Str(doc, "metadata.name") ?? throw new InvalidOperationException("manifest object without metadata.name");
            var yamlText = JsonText.Serialize(doc);
            _service.Patch(kind, ns, name, "application/apply-patch+yaml", yamlText, statusOnly: false, WriteOptions.Default);
        }
    }

    public void EnsureNamespace(string name)
    {
        if (_service.Store.Get(BuiltInKinds.Namespaces.Storage, "", name) is null)
        {
            _service.Create(BuiltInKinds.Namespaces, "", new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, WriteOptions.Default);
        }
    }

    /// <summary>
    /// Makes a host process visible as a Running pod (and its StatefulSet) to kubectl get pods / logs; with a
    /// <see cref="PodRegistration.Kubelet"/> it can be deleted through the API. Registering a pod again while its
    /// previous incarnation terminates takes effect once that one's object is gone: the new pod gets a new uid.
    /// </summary>
    public void RegisterPod(PodRegistration pod)
    {
        EnsureNamespace(pod.Namespace);
        _deletions.Register(pod, () =>
        {
            foreach (var c in pod.Containers)
            {
                _logs.SetPath(pod.Namespace, pod.Name, c.Name, c.LogPath);
            }

            _service.PutSystemObject(BuiltInKinds.Pods, pod.Namespace, pod.Name, RegisteredObjects.Pod(pod, _options.Clock.GetUtcNow()));
            if (pod.StatefulSet is { } sts)
            {
                RefreshStatefulSet(pod.Namespace, sts, pod);
            }
        });
    }

    public void UnregisterPod(string ns, string name)
    {
        _deletions.Forget(ns, name);
        if (_service.Store.Get(BuiltInKinds.Pods.Storage, ns, name) is { } pod)
        {
            _service.Remove(BuiltInKinds.Pods, ns, name);
            Removed(pod);
        }
    }

    /// <summary>The most recent requests answered (up to 10,000), oldest first; control routes included.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.Snapshot();

    public void ClearRequests() => _requests.Clear();

    /// <summary>Drops the watch history: resuming from any older resourceVersion now gets 410 Gone.</summary>
    public void CompactHistory() => _service.Store.Compact();

    /// <summary>After a pod object is removed: its logs are no longer served and its StatefulSet counts one replica less.</summary>
    private void Removed(JsonObject pod)
    {
        var ns = JsonText.Str(pod, "metadata.namespace") ?? "";
        _logs.Forget(ns, JsonText.Str(pod, "metadata.name") ?? "");
        if (pod["metadata"]?["ownerReferences"]?[0]?["name"]?.GetValue<string>() is { } sts)
        {
            RefreshStatefulSet(ns, sts, template: null);
        }
    }

    private void RefreshStatefulSet(string ns, string name, PodRegistration? template)
    {
        var pods = _service.Store.List(BuiltInKinds.Pods.Storage, ns).Items
            .Where(p => p["metadata"]?["ownerReferences"]?[0]?["name"]?.GetValue<string>() == name)
            .ToList();
        var existing = _service.Store.Get(BuiltInKinds.StatefulSets.Storage, ns, name);
        if (template is null && existing is null)
        {
            return;
        }

        var sts = template is not null
            ? RegisteredObjects.StatefulSet(template, name, pods.Count)
            : RegisteredObjects.WithReplicas(existing!, pods.Count);
        _service.PutSystemObject(BuiltInKinds.StatefulSets, ns, name, sts);
    }

    internal ImmutableArray<ResourceKind> ServedKinds => _registry.All;
}

using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Patching;
using Forge.KubeApiEmulator.Resources;
using Forge.KubeApiEmulator.Schema;
using Forge.KubeApiEmulator.Selectors;

namespace Forge.KubeApiEmulator.Storage;

/// <summary>
/// The apiserver's write rules on top of the store: create/update/patch/delete with optimistic concurrency,
/// the status subresource split, generation, schema pruning, defaulting and validation, no-op detection,
/// finalizers, and CRD registration.
/// </summary>
internal sealed class ResourceService(ObjectStore store, ResourceRegistry registry, TimeProvider clock)
{
    public ObjectStore Store => store;

    public JsonObject Get(ResourceKind kind, string ns, string name) =>
        EventConversion.FromStorage(kind, store.Get(kind.Storage, ns, name) ?? throw kind.NotFound(name));

    /// <summary>Matching objects in the client's view (converted), with the storage form kept for printing.</summary>
    public (IReadOnlyList<(JsonObject View, JsonObject Stored)> Items, long ResourceVersion) List(
        ResourceKind kind, string? ns, LabelSelector labels, FieldSelector fields)
    {
        var (items, rv) = store.List(kind.Storage, ns);
        var matching = items
            .Select(o => (View: EventConversion.FromStorage(kind, o), Stored: o))
            .Where(x => labels.Matches(x.View) && fields.Matches(x.View))
            .ToList();
        return (matching, rv);
    }

    public JsonObject Create(ResourceKind kind, string ns, JsonObject body, WriteOptions options)
    {
        RefuseReadOnly(kind);
        var obj = EventConversion.ToStorage(kind, JsonText.Clone(body));
        var meta = ObjectMetadata.Of(obj);
        if (kind.Namespaced)
        {
            var bodyNs = JsonText.Str(meta, "namespace");
            if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = ns;
        }
        else
        {
            ns = "";
            meta.Remove("namespace");
        }

        var name = JsonText.Str(meta, "name");
        if (string.IsNullOrEmpty(name) && JsonText.Str(meta, "generateName") is { Length: > 0 } prefix)
        {
            name = prefix + Guid.NewGuid().ToString("N")[..5];
            meta["name"] = name;
        }

        if (string.IsNullOrEmpty(name))
        {
            throw WriteRules.Invalid(kind, "", [FieldError.Required("metadata.name") with { Body = "Required value: name or generateName is required" }]);
        }

        if (kind.Schema is not null && ObjectMetadata.ValidateName(name) is { } nameError)
        {
            throw WriteRules.Invalid(kind, name, [nameError]);
        }

        return store.Transact(() =>
        {
            if (kind.Namespaced && store.Get(BuiltInKinds.Namespaces.Storage, "", ns) is null)
            {
                throw BuiltInKinds.Namespaces.NotFound(ns);
            }

            if (store.Get(kind.Storage, ns, name) is not null)
            {
                throw kind.AlreadyExists(name);
            }

            obj["apiVersion"] = kind == BuiltInKinds.Events ? "v1" : kind.GroupVersion;
            obj["kind"] = kind.Kind;
            meta.Remove("resourceVersion");
            meta.Remove("deletionTimestamp");
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = JsonText.Timestamp(clock.GetUtcNow());
            if (kind.SetsGeneration)
            {
                meta["generation"] = 1;
            }
            else
            {
                meta.Remove("generation");
            }

            if (kind.HasStatus)
            {
                obj.Remove("status");
            }

            obj = WriteRules.Ordered(obj);
            WriteRules.Normalize(kind, obj, options);
            var before = CrdKindsFor(kind, obj);
            ServerStatus(kind, obj);
            if (options.DryRun)
            {
                return EventConversion.FromStorage(kind, obj);
            }

            var stored = store.Put(kind.Storage, ns, name, obj, "ADDED");
            if (before is not null)
            {
                registry.Register(name, before);
            }

            return EventConversion.FromStorage(kind, stored);
        });
    }

    /// <summary>PUT of the object or of its status. A stale or (for CRs) missing resourceVersion is refused.</summary>
    public JsonObject Update(ResourceKind kind, string ns, string name, JsonObject body, bool statusOnly, WriteOptions options)
    {
        RefuseReadOnly(kind);
        return store.Transact(() =>
        {
            var existing = store.Get(kind.Storage, ns, name) ?? throw kind.NotFound(name);
            var incoming = EventConversion.ToStorage(kind, JsonText.Clone(body));
            var bodyName = ObjectMetadata.Name(incoming);
            if (bodyName is not null && bodyName != name)
            {
                throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            var rv = ObjectMetadata.ResourceVersion(incoming);
            if (string.IsNullOrEmpty(rv) && kind.RequiresResourceVersionOnUpdate)
            {
                throw WriteRules.Invalid(kind, name, [FieldError.Invalid("metadata.resourceVersion", "0x0", "must be specified for an update")]);
            }

            if (!string.IsNullOrEmpty(rv) && rv != ObjectMetadata.ResourceVersion(existing))
            {
                throw kind.Conflict(name);
            }

            return Commit(kind, ns, name, existing, WriteRules.Compose(kind, existing, incoming, statusOnly), options);
        });
    }

    /// <summary>PATCH: merge patch, JSON patch, or (naive) server-side apply, which creates a missing object.</summary>
    public (JsonObject Object, bool Created) Patch(
        ResourceKind kind, string ns, string name, string mediaType, string body, bool statusOnly, WriteOptions options)
    {
        RefuseReadOnly(kind);
        if (mediaType is not ("application/merge-patch+json" or "application/json-patch+json" or "application/apply-patch+yaml"))
        {
            throw ApiException.UnsupportedMediaType();
        }

        return store.Transact(() =>
        {
            var stored = store.Get(kind.Storage, ns, name);
            if (stored is null)
            {
                if (mediaType == "application/apply-patch+yaml" && !statusOnly)
                {
                    var applied = YamlToJson.ParseObject(body);
                    JsonText.Obj(applied, "metadata")["name"] = name;
                    return (Create(kind, ns, applied, options), true);
                }

                throw kind.NotFound(name);
            }

            var view = EventConversion.FromStorage(kind, stored);
            JsonObject patched;
            if (mediaType == "application/json-patch+json")
            {
                var ops = JsonNode.Parse(body) as JsonArray ?? throw ApiException.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
                patched = JsonPatch.Apply(view, ops);
            }
            else
            {
                var patch = mediaType == "application/apply-patch+yaml" ? YamlToJson.ParseObject(body) : JsonText.ParseObject(body);
                var rv = JsonText.Str(patch, "metadata.resourceVersion");
                if (!string.IsNullOrEmpty(rv) && rv != ObjectMetadata.ResourceVersion(stored))
                {
                    throw kind.Conflict(name);
                }

                patched = (JsonObject)MergePatch.Apply(JsonText.Clone(view), patch)!;
            }

            var incoming = EventConversion.ToStorage(kind, patched);
            return (Commit(kind, ns, name, stored, WriteRules.Compose(kind, stored, incoming, statusOnly), options), false);
        });
    }

    /// <summary>DELETE: honours preconditions; with finalizers it only marks the object (deletionTimestamp).</summary>
    public JsonObject Delete(ResourceKind kind, string ns, string name, JsonObject? deleteOptions)
    {
        RefuseReadOnly(kind);
        return store.Transact(() =>
        {
            var existing = store.Get(kind.Storage, ns, name) ?? throw kind.NotFound(name);
            var uid = JsonText.Str(existing, "metadata.uid");
            if ((JsonText.Str(deleteOptions, "preconditions.uid") is { } wantUid && wantUid != uid)
                || (JsonText.Str(deleteOptions, "preconditions.resourceVersion") is { } wantRv && wantRv != ObjectMetadata.ResourceVersion(existing)))
            {
                throw kind.Conflict(name);
            }

            if (existing["metadata"]?["finalizers"] is JsonArray { Count: > 0 })
            {
                if (JsonText.Str(existing, "metadata.deletionTimestamp") is null)
                {
                    existing["metadata"]!["deletionTimestamp"] = JsonText.Timestamp(clock.GetUtcNow());
                    existing = store.Put(kind.Storage, ns, name, existing, "MODIFIED");
                }

                return EventConversion.FromStorage(kind, existing);
            }

            Remove(kind, ns, name);
            return new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Success",
                ["details"] = new JsonObject { ["name"] = name, ["group"] = kind.Group, ["kind"] = kind.Plural, ["uid"] = uid },
            };
        });
    }

    /// <summary>Writes an object the emulator itself owns (registered Pods and StatefulSets), bypassing read-only rules.</summary>
    public void PutSystemObject(ResourceKind kind, string ns, string name, JsonObject obj)
    {
        store.Transact(() =>
        {
            var existing = store.Get(kind.Storage, ns, name);
            var meta = ObjectMetadata.Of(obj);
            meta["name"] = name;
            meta["namespace"] = ns;
            meta["uid"] = JsonText.Str(existing, "metadata.uid") ?? Guid.NewGuid().ToString();
            meta["creationTimestamp"] = JsonText.Str(existing, "metadata.creationTimestamp") ?? JsonText.Timestamp(clock.GetUtcNow());
            if (kind.SetsGeneration)
            {
                meta["generation"] = existing?["metadata"]?["generation"]?.DeepClone() ?? 1;
            }

            obj["apiVersion"] = kind.GroupVersion;
            obj["kind"] = kind.Kind;
            obj = WriteRules.Ordered(obj);
            if (existing is null || !ObjectMetadata.SameContent(existing, obj))
            {
                store.Put(kind.Storage, ns, name, obj, existing is null ? "ADDED" : "MODIFIED");
            }

            return 0;
        });
    }

    public void Remove(ResourceKind kind, string ns, string name)
    {
        store.Remove(kind.Storage, ns, name);
        if (kind == BuiltInKinds.Crds)
        {
            foreach (var k in registry.All.Where(k => $"{k.Plural}.{k.Group}" == name).DistinctBy(k => k.Storage).ToList())
            {
                foreach (var o in store.List(k.Storage, null).Items)
                {
                    store.Remove(k.Storage, JsonText.Str(o, "metadata.namespace") ?? "", ObjectMetadata.Name(o)!);
                }
            }

            registry.Unregister(name);
        }
    }

    private JsonObject Commit(ResourceKind kind, string ns, string name, JsonObject existing, JsonObject candidate, WriteOptions options)
    {
        WriteRules.Normalize(kind, candidate, options);
        var crdKinds = CrdKindsFor(kind, candidate);
        if (kind == BuiltInKinds.Crds)
        {
            candidate["status"] = existing["status"]?.DeepClone();
        }

        if (ObjectMetadata.SameContent(existing, candidate))
        {
            return EventConversion.FromStorage(kind, existing);
        }

        if (kind.SetsGeneration && ObjectMetadata.SpecChanged(existing, candidate, kind.HasStatus))
        {
            ObjectMetadata.Of(candidate)["generation"] = (JsonText.Long(existing["metadata"]?["generation"]) ?? 0) + 1;
        }

        if (options.DryRun)
        {
            return EventConversion.FromStorage(kind, candidate);
        }

        if (JsonText.Str(candidate, "metadata.deletionTimestamp") is not null
            && candidate["metadata"]?["finalizers"] is not JsonArray { Count: > 0 })
        {
            Remove(kind, ns, name);
            return EventConversion.FromStorage(kind, candidate);
        }

        var stored = store.Put(kind.Storage, ns, name, candidate, "MODIFIED");
        if (crdKinds is not null)
        {
            registry.Register(name, crdKinds);
        }

        return EventConversion.FromStorage(kind, stored);
    }

    private static IReadOnlyList<ResourceKind>? CrdKindsFor(ResourceKind kind, JsonObject obj) =>
        kind == BuiltInKinds.Crds ? CrdConverter.ToKinds(obj) : null;

    private void ServerStatus(ResourceKind kind, JsonObject obj)
    {
        if (kind == BuiltInKinds.Crds)
        {
            obj["status"] = CrdConverter.EstablishedStatus(obj, clock.GetUtcNow());
        }
        else if (kind == BuiltInKinds.Namespaces)
        {
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }
    }

    private static void RefuseReadOnly(ResourceKind kind)
    {
        if (kind.ReadOnly)
        {
            throw ApiException.MethodNotAllowed();
        }
    }
}

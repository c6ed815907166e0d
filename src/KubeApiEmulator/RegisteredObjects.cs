using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;

namespace Forge.KubeApiEmulator;

/// <summary>The Pod and StatefulSet objects served for registered host processes.</summary>
internal static class RegisteredObjects
{
    public static JsonObject Pod(PodRegistration pod, DateTimeOffset now)
    {
        var labels = new JsonObject(pod.Labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        var metadata = new JsonObject { ["name"] = pod.Name, ["namespace"] = pod.Namespace, ["labels"] = labels };
        if (pod.StatefulSet is { } sts)
        {
            labels["statefulset.kubernetes.io/pod-name"] = pod.Name;
            metadata["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "StatefulSet",
                ["name"] = sts,
                ["uid"] = $"statefulset-{sts}",
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            });
        }

        var started = JsonText.Timestamp(now);
        return new JsonObject
        {
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["containers"] = new JsonArray(pod.Containers.Select(c => (JsonNode?)new JsonObject { ["name"] = c.Name, ["image"] = c.Image }).ToArray()),
                ["nodeName"] = "emulator",
                ["restartPolicy"] = "Always",
                ["terminationGracePeriodSeconds"] = 30,
            },
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["podIP"] = "127.0.0.1",
                ["hostIP"] = "127.0.0.1",
                ["startTime"] = started,
                ["conditions"] = new JsonArray(
                    new JsonObject { ["type"] = "Ready", ["status"] = pod.Ready ? "True" : "False", ["lastTransitionTime"] = started },
                    new JsonObject { ["type"] = "ContainersReady", ["status"] = pod.Ready ? "True" : "False", ["lastTransitionTime"] = started }),
                ["containerStatuses"] = new JsonArray(pod.Containers.Select(c => (JsonNode?)new JsonObject
                {
                    ["name"] = c.Name,
                    ["image"] = c.Image,
                    ["imageID"] = "",
                    ["ready"] = pod.Ready,
                    ["started"] = true,
                    ["restartCount"] = 0,
                    ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = started } },
                }).ToArray()),
            },
        };
    }

    public static JsonObject StatefulSet(PodRegistration template, string name, int replicas)
    {
        var matchLabels = new JsonObject(template.Labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        var sts = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = template.Namespace, ["labels"] = matchLabels.DeepClone() },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = matchLabels },
                ["serviceName"] = name,
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = matchLabels.DeepClone() },
                    ["spec"] = new JsonObject
                    {
                        ["containers"] = new JsonArray(template.Containers.Select(c => (JsonNode?)new JsonObject { ["name"] = c.Name, ["image"] = c.Image }).ToArray()),
                    },
                },
            },
        };
        return WithReplicas(sts, replicas);
    }

    public static JsonObject WithReplicas(JsonObject sts, int replicas)
    {
        var copy = JsonText.Clone(sts);
        JsonText.Obj(copy, "spec")["replicas"] = replicas;
        copy["status"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["readyReplicas"] = replicas,
            ["currentReplicas"] = replicas,
            ["updatedReplicas"] = replicas,
            ["availableReplicas"] = replicas,
            ["observedGeneration"] = 1,
        };
        return copy;
    }
}

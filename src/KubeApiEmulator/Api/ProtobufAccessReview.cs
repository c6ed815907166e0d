using System.Text;
using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator.Api;

/// <summary>
/// kubectl sends SelfSubjectAccessReviews (auth can-i) as Kubernetes protobuf. This reads just the fields a
/// review needs out of that envelope ("k8s\0" + runtime.Unknown whose raw bytes are the review) and turns them
/// into the JSON form; the answer goes back as JSON, which client-go accepts by its Content-Type.
/// </summary>
internal static class ProtobufAccessReview
{
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    // ResourceAttributes field numbers (k8s.io/api/authorization/v1/generated.proto)
    private static readonly string[] AttributeNames = ["", "namespace", "verb", "group", "version", "resource", "subresource", "name"];

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < Magic.Length || !body.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw ApiException.BadRequest("the protobuf body does not start with the Kubernetes magic number");
        }

        var raw = Field(body.AsSpan(Magic.Length), 2) ?? throw ApiException.BadRequest("protobuf envelope without raw bytes");
        var spec = Field(raw, 2);
        var attributes = spec is null ? null : Field(spec, 1);
        var json = new JsonObject();
        if (attributes is not null)
        {
            for (var number = 1; number < AttributeNames.Length; number++)
            {
                if (Field(attributes, number) is { } value)
                {
                    json[AttributeNames[number]] = Encoding.UTF8.GetString(value);
                }
            }
        }

        return new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SelfSubjectAccessReview",
            ["spec"] = new JsonObject { ["resourceAttributes"] = json },
        };
    }

    /// <summary>The first length-delimited field with this number, skipping everything else.</summary>
    private static byte[]? Field(ReadOnlySpan<byte> message, int number)
    {
        var i = 0;
        while (i < message.Length)
        {
            var key = Varint(message, ref i);
            var wireType = (int)(key & 7);
            var field = (int)(key >> 3);
            switch (wireType)
            {
                case 0:
                    Varint(message, ref i);
                    break;
                case 1:
                    i += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref i);
                    if (field == number)
                    {
                        return message.Slice(i, length).ToArray();
                    }

                    i += length;
                    break;
                case 5:
                    i += 4;
                    break;
                default:
                    throw ApiException.BadRequest($"unsupported protobuf wire type {wireType}");
            }
        }

        return null;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; i < data.Length; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        return value;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Forge.StandIn.Output;

/// <summary>
/// cardano-node's JSON log lines (the legacy iohk-monitoring shape the public issues show):
/// <c>{"app":[],"at":"…Z","data":{"kind":"…",…},"env":"…","host":"…","loc":null,"msg":"","ns":["cardano.node.startup"],
/// "pid":"…","sev":"Info","thread":"…"}</c>. Written to stdout and, when asked, appended to a file, one flush per line.
/// Unlike cardano-node, <c>msg</c> carries the human-readable text too, to make test output readable.
/// </summary>
internal sealed class NodeLog : IDisposable
{
    public const string StartupNs = "cardano.node.startup";
    public const string ChainDbNs = "cardano.node.ChainDB";
    public const string ForgeNs = "cardano.node.Forge";

    private readonly object _gate = new();
    private readonly FileStream? _file;
    private readonly Stream _stdout = Console.OpenStandardOutput();
    private readonly string _host = Environment.MachineName;
    private readonly string _pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    public NodeLog(string? path)
    {
        if (path is not null)
            _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    }

    public void Info(string ns, JsonObject data, string msg = "") => Write(ns, "Info", data, msg);

    public void Error(string ns, JsonObject data, string msg = "") => Write(ns, "Error", data, msg);

    public void Write(string ns, string severity, JsonObject data, string msg)
    {
        var line = new JsonObject
        {
            ["app"] = new JsonArray(),
            ["at"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ff'Z'", CultureInfo.InvariantCulture),
            ["data"] = data,
            ["env"] = "standin:" + typeof(NodeLog).Assembly.GetName().Version,
            ["host"] = _host,
            ["loc"] = null,
            ["msg"] = msg,
            ["ns"] = new JsonArray(ns),
            ["pid"] = _pid,
            ["sev"] = severity,
            ["thread"] = Environment.CurrentManagedThreadId.ToString(CultureInfo.InvariantCulture),
        };
        var bytes = Encoding.UTF8.GetBytes(line.ToJsonString(JsonOptions) + "\n");
        lock (_gate)
        {
            _stdout.Write(bytes);
            _stdout.Flush();
            if (_file is not null)
            {
                _file.Write(bytes);
                _file.Flush();
            }
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Dispose()
    {
        _file?.Dispose();
        _stdout.Dispose();
    }
}

using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Forge.KubeApiEmulator;

// kube-api-emulator [--port N] [--host ADDR] [--crd PATH]... [--namespace NS]... [--kubeconfig PATH]
// Prints "listening http://127.0.0.1:PORT" as its first line, then serves until SIGINT/SIGTERM.
var port = 0;
var host = "127.0.0.1";
var crds = ImmutableArray.CreateBuilder<string>();
var namespaces = ImmutableArray.CreateBuilder<string>();
string? kubeconfig = null;
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--port": port = int.Parse(Value()); break;
        case "--host": host = Value(); break;
        case "--crd": crds.Add(Value()); break;
        case "--namespace": namespaces.Add(Value()); break;
        case "--kubeconfig": kubeconfig = Value(); break;
        case "-h" or "--help":
            Console.WriteLine("kube-api-emulator [--port N (0 = free port)] [--host ADDR] [--crd PATH]... [--namespace NS]... [--kubeconfig PATH]");
            return 0;
        default:
            Console.Error.WriteLine($"unknown option {args[i]} (try --help)");
            return 2;
    }
}

var options = new EmulatorOptions
{
    Port = port,
    Host = host,
    CrdPaths = crds.ToImmutable(),
    Namespaces = namespaces.Count > 0 ? namespaces.ToImmutable() : ["cardano"],
};
await using var server = new KubeApiEmulatorServer(options);
await server.StartAsync();
Console.WriteLine($"listening {server.BaseUrl.ToString().TrimEnd('/')}");
if (kubeconfig is not null)
{
    server.WriteKubeconfig(kubeconfig, options.Namespaces[0]);
    Console.WriteLine($"kubeconfig {Path.GetFullPath(kubeconfig)}");
}

using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true; // shut down in order below instead of being killed
    stop.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // shutting down
}

return 0;

using Forge.Coordinator;

// forge-coordinator [run] [--config file.conf]... [--set key=value]...
//                   shell [HOST:PORT] [command words...]                                  (src/Shell)
//                   sandbox [--dir DIR] [--slot-ms N] [--nodes-per-region N] [--regions N]   (src/Sandbox)
//                   replica-init [--config file.conf]... [--set key=value]...                (new deployments only)
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
switch (verb)
{
    case "sandbox" when !OperatingSystem.IsLinux():
        Console.Error.WriteLine("forge-coordinator sandbox: Linux only (setpriv, /proc, signals)");
        return 2;
    case "sandbox":
        return await Forge.Sandbox.SandboxCommand.RunAsync(args[1..]);
    case "shell":
        return await Forge.Shell.Client.ShellClient.RunAsync(args[1..]);
    case "replica-init":
        return CoordinatorHost.InitReplica(args[1..]);
    case "run":
        return await CoordinatorHost.RunAsync(args.Length > 0 && args[0] == "run" ? args[1..] : args);
    case "help":
        Console.WriteLine(CoordinatorHost.Usage);
        return 0;
    default:
        Console.Error.WriteLine($"unknown verb '{verb}'\n{CoordinatorHost.Usage}");
        return 64;
}

using Forge.Coordinator;

// forge-coordinator [run] [--config file.conf]... [--set key=value]...
//                   sandbox        (not there yet: exits 2)
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
switch (verb)
{
    case "sandbox":
        Console.Error.WriteLine("forge-coordinator sandbox: the sandbox is not there yet (a later issue). Nothing was started.");
        return 2;
    case "run":
        return await CoordinatorHost.RunAsync(args.Length > 0 && args[0] == "run" ? args[1..] : args);
    case "help":
        Console.WriteLine(CoordinatorHost.Usage);
        return 0;
    default:
        Console.Error.WriteLine($"unknown verb '{verb}'\n{CoordinatorHost.Usage}");
        return 64;
}

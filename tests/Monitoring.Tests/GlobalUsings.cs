global using Xunit;

// The scripts, promtool and the fakes are Linux things.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

using Xunit.Abstractions;
using Xunit.Sdk;

namespace Forge.Sandbox.Tests;

/// <summary>Runs a class's tests in method-name order (the shared sandbox's tests build on each other: faults before
/// the final SIGTERM).</summary>
public sealed class ByNameOrderer : ITestCaseOrderer
{
    public const string Type = "Forge.Sandbox.Tests.ByNameOrderer";
    public const string Assembly = "Sandbox.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal);
}

using System.Text;

namespace Forge.Monitoring.Tests.Support;

/// <summary>promtool (Debian package prometheus): rule checks and rule unit tests.</summary>
internal static class Promtool
{
    public static ToolResult Run(params string[] args) =>
        Tool.Run(Tool.Require("promtool", "prometheus"), args, timeout: TimeSpan.FromMinutes(5));

    /// <summary>
    /// Checks that every expression parses, by writing them as recording rules into a temporary
    /// rules file and running promtool check rules on it (promtool has no offline query parser).
    /// </summary>
    public static ToolResult CheckExpressions(IReadOnlyList<string> expressions)
    {
        var file = Path.Combine(Path.GetTempPath(), $"forge-exprs-{Guid.NewGuid():N}.yml");
        var text = new StringBuilder("groups:\n  - name: expressions\n    rules:\n");
        for (var i = 0; i < expressions.Count; i++)
        {
            text.Append("      - record: expression:check_").Append(i).Append('\n')
                .Append("        expr: '").Append(expressions[i].Replace("'", "''", StringComparison.Ordinal)).Append("'\n");
        }

        File.WriteAllText(file, text.ToString());
        try
        {
            return Run("check", "rules", file);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

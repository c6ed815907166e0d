using System.Text.RegularExpressions;

namespace Forge.Kubernetes.Tests.Support;

/// <summary>
/// Reads kubectl's human table output by header positions (cells may be blank, headers may contain a
/// single space, as "ACTIVE LEADER" does).
/// </summary>
internal sealed partial class PrintedTable
{
    private PrintedTable(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyDictionary<string, string>> rows)
    {
        Headers = headers;
        Rows = rows;
    }

    public IReadOnlyList<string> Headers { get; }

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Rows { get; }

    public IReadOnlyDictionary<string, string> Row(string name) => Rows.Single(r => r["NAME"] == name);

    public static PrintedTable Parse(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0];
        var columns = HeaderCell().Matches(header).Select(m => (Name: m.Value, Start: m.Index)).ToList();
        var rows = lines.Skip(1).Select(line =>
        {
            var row = new Dictionary<string, string>();
            for (var i = 0; i < columns.Count; i++)
            {
                var start = Math.Min(columns[i].Start, line.Length);
                var end = i + 1 < columns.Count ? Math.Min(columns[i + 1].Start, line.Length) : line.Length;
                row[columns[i].Name] = line[start..end].Trim();
            }

            return (IReadOnlyDictionary<string, string>)row;
        }).ToList();
        return new PrintedTable(columns.Select(c => c.Name).ToList(), rows);
    }

    // A header is words separated by single spaces; columns are separated by two or more.
    [GeneratedRegex(@"\S+( \S+)*")]
    private static partial Regex HeaderCell();
}

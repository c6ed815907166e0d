using System.Text;

namespace Forge.Shell.Commands;

/// <summary>kubectl-style plain columns: upper-case headers, left-aligned, three spaces between columns, no
/// trailing blanks. Plain text so scripts can cut it and the client needs no terminal features.</summary>
public static class TextTable
{
    public static IEnumerable<string> Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, i) => all.Max(r => i < r.Count ? r[i].Length : 0)).ToArray();
        foreach (var row in all)
        {
            var sb = new StringBuilder();
            for (var i = 0; i < headers.Count; i++)
            {
                var cell = i < row.Count ? row[i] : "";
                sb.Append(i == headers.Count - 1 ? cell : cell.PadRight(widths[i] + 3));
            }
            yield return sb.ToString().TrimEnd();
        }
    }
}

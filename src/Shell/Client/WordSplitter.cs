using System.Text;

namespace Forge.Shell.Client;

/// <summary>Splits a command line into words like a POSIX shell would for the simple cases operators type:
/// blanks separate words, '…' and "…" group (quotes removed), a backslash escapes the next character.</summary>
public static class WordSplitter
{
    /// <exception cref="FormatException">An unterminated quote.</exception>
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quote is { } q)
            {
                if (ch == q) quote = null;
                else if (ch == '\\' && q == '"' && i + 1 < line.Length) current.Append(line[++i]);
                else current.Append(ch);
            }
            else if (ch is '\'' or '"')
            {
                quote = ch;
                inWord = true;
            }
            else if (ch == '\\' && i + 1 < line.Length)
            {
                current.Append(line[++i]);
                inWord = true;
            }
            else if (char.IsWhiteSpace(ch))
            {
                if (inWord) words.Add(current.ToString());
                current.Clear();
                inWord = false;
            }
            else
            {
                current.Append(ch);
                inWord = true;
            }
        }
        if (quote is not null) throw new FormatException($"unterminated {quote} quote");
        if (inWord) words.Add(current.ToString());
        return words;
    }
}

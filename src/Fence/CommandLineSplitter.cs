using System.Text;

namespace Forge.Fence;

/// <summary>Splits a command given as one string (<c>--node-cmd "..."</c>) the way a POSIX shell would for plain words,
/// '...' and "..." quoting and backslash escapes; no expansion of any kind.</summary>
internal static class CommandLineSplitter
{
    public static IReadOnlyList<string> Split(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (quote == '\'')
            {
                if (c == '\'') quote = null; else word.Append(c);
            }
            else if (c == '\\' && i + 1 < command.Length && quote != '\'')
            {
                word.Append(command[++i]);
                inWord = true;
            }
            else if (quote == '"')
            {
                if (c == '"') quote = null; else word.Append(c);
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (quote is not null) throw new FormatException("unterminated quote in command");
        if (inWord) words.Add(word.ToString());
        return words;
    }
}

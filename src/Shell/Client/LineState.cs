using System.Collections.Immutable;
using System.Text;

namespace Forge.Shell.Client;

/// <summary>The line being edited at the prompt: text, cursor and position in the history. Pure (the terminal
/// side is <see cref="LineEditor"/>), so editing, history and completion are tested without a console.</summary>
public sealed class LineState(IReadOnlyList<string> history)
{
    private readonly StringBuilder _text = new();
    private int _historyIndex = history.Count;
    private string _draft = "";

    public string Text => _text.ToString();
    public int Cursor { get; private set; }

    public void Insert(string s)
    {
        _text.Insert(Cursor, s);
        Cursor += s.Length;
    }

    public void Backspace()
    {
        if (Cursor == 0) return;
        _text.Remove(--Cursor, 1);
    }

    public void Delete()
    {
        if (Cursor < _text.Length) _text.Remove(Cursor, 1);
    }

    public void Left() => Cursor = Math.Max(0, Cursor - 1);
    public void Right() => Cursor = Math.Min(_text.Length, Cursor + 1);
    public void Home() => Cursor = 0;
    public void End() => Cursor = _text.Length;

    /// <summary>Ctrl-U: drop everything before the cursor.</summary>
    public void KillToStart()
    {
        _text.Remove(0, Cursor);
        Cursor = 0;
    }

    /// <summary>↑: the previous history entry (the line being typed is kept as a draft for ↓).</summary>
    public void Previous()
    {
        if (_historyIndex == 0) return;
        if (_historyIndex == history.Count) _draft = Text;
        Replace(history[--_historyIndex]);
    }

    /// <summary>↓: the next history entry, then back to the draft.</summary>
    public void Next()
    {
        if (_historyIndex >= history.Count) return;
        _historyIndex++;
        Replace(_historyIndex == history.Count ? _draft : history[_historyIndex]);
    }

    /// <summary>Tab: completes the word before the cursor. One candidate is inserted with a trailing space; several
    /// extend the word to their common prefix, and are returned to be listed when nothing could be added.</summary>
    public ImmutableArray<string> Complete(Completer completer)
    {
        var head = Text[..Cursor];
        var (start, candidates) = completer.Complete(head);
        if (candidates.IsEmpty) return [];
        var typed = head.Length - start;
        if (candidates.Length == 1)
        {
            Insert(candidates[0][typed..] + " ");
            return [];
        }
        var common = Completer.CommonPrefix(candidates);
        if (common.Length > typed)
        {
            Insert(common[typed..]);
            return [];
        }
        return candidates;
    }

    private void Replace(string text)
    {
        _text.Clear().Append(text);
        Cursor = _text.Length;
    }
}

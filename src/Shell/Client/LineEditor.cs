namespace Forge.Shell.Client;

/// <summary>Reads one line from the terminal with editing (←/→, Home/End, Backspace/Delete, Ctrl-U), history (↑/↓)
/// and Tab completion, redrawing with plain ANSI sequences. Ctrl-C clears the line; Ctrl-D on an empty line
/// ends the session.</summary>
public sealed class LineEditor(Completer completer, ShellHistory history)
{
    /// <summary>The line typed, or null at end of input (Ctrl-D).</summary>
    public string? ReadLine(string prompt)
    {
        var state = new LineState(history.Entries);
        var treatCtrlC = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        try
        {
            Console.Write(prompt);
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                var ctrl = key.Modifiers.HasFlag(ConsoleModifiers.Control);
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        Console.WriteLine();
                        return state.Text;
                    case ConsoleKey.D when ctrl:
                        if (state.Text.Length > 0) break;
                        Console.WriteLine();
                        return null;
                    case ConsoleKey.C when ctrl:
                        Console.WriteLine("^C");
                        state = new LineState(history.Entries);
                        break;
                    case ConsoleKey.U when ctrl: state.KillToStart(); break;
                    case ConsoleKey.A when ctrl: state.Home(); break;
                    case ConsoleKey.E when ctrl: state.End(); break;
                    case ConsoleKey.Backspace: state.Backspace(); break;
                    case ConsoleKey.Delete: state.Delete(); break;
                    case ConsoleKey.LeftArrow: state.Left(); break;
                    case ConsoleKey.RightArrow: state.Right(); break;
                    case ConsoleKey.Home: state.Home(); break;
                    case ConsoleKey.End: state.End(); break;
                    case ConsoleKey.UpArrow: state.Previous(); break;
                    case ConsoleKey.DownArrow: state.Next(); break;
                    case ConsoleKey.Tab:
                        var choices = state.Complete(completer);
                        if (!choices.IsEmpty)
                        {
                            Console.WriteLine();
                            Console.WriteLine(string.Join("  ", choices));
                        }
                        break;
                    default:
                        if (!char.IsControl(key.KeyChar)) state.Insert(key.KeyChar.ToString());
                        break;
                }
                Redraw(prompt, state);
            }
        }
        finally
        {
            Console.TreatControlCAsInput = treatCtrlC;
        }
    }

    private static void Redraw(string prompt, LineState state)
    {
        var back = state.Text.Length - state.Cursor;
        Console.Write($"\r{prompt}{state.Text}\u001b[K{(back > 0 ? $"\u001b[{back}D" : "")}");
    }
}

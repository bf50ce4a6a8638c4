namespace Singularity.Tests.Kernel;

/// <summary>
/// The display driver's screen model (SIPs/Drivers/Display/TextScreen.cs, plain C#, run here on
/// .NET): DisplayContract's control characters, wrapping at the last column, scrolling at the last
/// line, cursor clamping, and the changed-cell range the driver copies to the device.
/// </summary>
public class TextScreenTests
{
    private static void Put(TextScreen screen, string text)
    {
        foreach (char c in text) screen.Put((byte)c);
    }

    private static string Line(TextScreen screen, int row)
    {
        var chars = new char[TextScreen.Columns];
        for (int c = 0; c < TextScreen.Columns; c++) chars[c] = (char)(screen.Cell(row * TextScreen.Columns + c) & 0xFF);
        return new string(chars).TrimEnd();
    }

    [Fact]
    public void ANewScreenIsBlankWithTheCursorAtTheTopLeftAndAllOfItToShow()
    {
        var screen = new TextScreen();
        Assert.All(Enumerable.Range(0, TextScreen.Cells), i => Assert.Equal(TextScreen.Blank, screen.Cell(i)));
        Assert.Equal((0, 0), (screen.Row, screen.Column));
        Assert.Equal((0, TextScreen.Cells), (screen.DirtyFrom, screen.DirtyTo));
    }

    [Fact]
    public void ControlCharactersMoveTheCursorAsTheContractSays()
    {
        var screen = new TextScreen();
        Put(screen, "abc\rX");
        Assert.Equal("Xbc", Line(screen, 0));
        Put(screen, "\b\bY");
        Assert.Equal("Ybc", Line(screen, 0));
        Assert.Equal(1, screen.Column);
        Put(screen, "\b\b\b");                          // never past column 0
        Assert.Equal(0, screen.Column);
        Put(screen, "\tT");
        Assert.Equal(9, screen.Column);
        Assert.Equal('T', (char)(screen.Cell(8) & 0xFF));
        Put(screen, "\nnext\x01");
        Assert.Equal("next?", Line(screen, 1));          // other control characters show as '?'
        Assert.Equal(0x07, screen.Cell(TextScreen.Columns) >> 8);   // light grey on black
    }

    [Fact]
    public void TheLastColumnWrapsAndTheLastLineScrolls()
    {
        var screen = new TextScreen();
        Put(screen, new string('w', TextScreen.Columns) + "x");
        Assert.Equal((1, 1), (screen.Row, screen.Column));
        Assert.Equal("x", Line(screen, 1));
        screen.MarkShown();
        Assert.Equal(TextScreen.Cells, screen.DirtyFrom);
        for (int i = 2; i < TextScreen.Rows; i++) Put(screen, "\nline " + i);
        Assert.Equal(TextScreen.Rows - 1, screen.Row);
        // Only the cells written since MarkShown are to copy: no scroll yet.
        Assert.Equal(2 * TextScreen.Columns, screen.DirtyFrom);
        Put(screen, "\nlast");
        Assert.Equal("x", Line(screen, 0));              // everything moved up one line
        Assert.Equal("line 24", Line(screen, TextScreen.Rows - 2));
        Assert.Equal("last", Line(screen, TextScreen.Rows - 1));
        Assert.Equal((0, TextScreen.Cells), (screen.DirtyFrom, screen.DirtyTo));
    }

    [Fact]
    public void MoveToClampsAndClearBlanks()
    {
        var screen = new TextScreen();
        screen.MoveTo(-5, 500);
        Assert.Equal((0, TextScreen.Columns - 1), (screen.Row, screen.Column));
        screen.MoveTo(99, -1);
        Assert.Equal((TextScreen.Rows - 1, 0), (screen.Row, screen.Column));
        Put(screen, "z");
        screen.Clear();
        Assert.Equal("", Line(screen, TextScreen.Rows - 1));
        Assert.Equal((0, 0), (screen.Row, screen.Column));
    }
}

// The 80x25 text screen as the display driver keeps it in its own memory: one 16-bit cell per
// character (the character in the low byte, its colour in the high byte, as VGA text memory
// holds them) and a cursor. Writing text changes cells and remembers which ones changed, so the
// driver copies only those to the device (each copy is a kernel call). Safe code only: it knows
// nothing of the hardware (VgaText does).
public sealed class TextScreen
{
    public const int Columns = 80;
    public const int Rows = 25;
    public const int Cells = Columns * Rows;

    /// <summary>A blank cell: a space, light grey on black.</summary>
    public const ushort Blank = 0x0720;

    private const ushort Colour = 0x0700;
    private const int TabWidth = 8;

    private readonly ushort[] _cells = new ushort[Cells];
    private int _dirtyFrom = Cells;   // [_dirtyFrom, _dirtyTo): the cells changed since MarkShown
    private int _dirtyTo;

    public int Row { get; private set; }
    public int Column { get; private set; }

    /// <summary>The first changed cell (Cells when none changed).</summary>
    public int DirtyFrom => _dirtyFrom;

    /// <summary>One past the last changed cell.</summary>
    public int DirtyTo => _dirtyTo;

    public TextScreen() { Clear(); }

    public ushort Cell(int index) => _cells[index];

    /// <summary>Blanks every cell and puts the cursor at the top left.</summary>
    public void Clear()
    {
        for (int i = 0; i < Cells; i++) _cells[i] = Blank;
        Row = 0;
        Column = 0;
        Changed(0, Cells);
    }

    /// <summary>Puts the cursor at (row, column), each clamped to the screen.</summary>
    public void MoveTo(int row, int column)
    {
        Row = row < 0 ? 0 : row >= Rows ? Rows - 1 : row;
        Column = column < 0 ? 0 : column >= Columns ? Columns - 1 : column;
    }

    /// <summary>Shows one character at the cursor (the control characters the contract names act instead).</summary>
    public void Put(byte c)
    {
        switch (c)
        {
            case (byte)'\n': NewLine(); return;
            case (byte)'\r': Column = 0; return;
            case (byte)'\b': if (Column > 0) Column--; return;
            case (byte)'\t':
                int next = (Column / TabWidth + 1) * TabWidth;
                if (next >= Columns) { NewLine(); return; }
                Column = next;
                return;
        }
        if (c < 0x20 || c > 0x7E) c = (byte)'?';
        int at = Row * Columns + Column;
        _cells[at] = (ushort)(Colour | c);
        Changed(at, at + 1);
        if (++Column == Columns) NewLine();
    }

    /// <summary>Forgets which cells changed (the device shows them now).</summary>
    public void MarkShown()
    {
        _dirtyFrom = Cells;
        _dirtyTo = 0;
    }

    // The next line's start; below the last line the screen moves up one line and the last is blank.
    private void NewLine()
    {
        Column = 0;
        if (Row < Rows - 1) { Row++; return; }
        for (int i = 0; i < Cells - Columns; i++) _cells[i] = _cells[i + Columns];
        for (int i = Cells - Columns; i < Cells; i++) _cells[i] = Blank;
        Changed(0, Cells);
    }

    private void Changed(int from, int to)
    {
        if (from < _dirtyFrom) _dirtyFrom = from;
        if (to > _dirtyTo) _dirtyTo = to;
    }
}

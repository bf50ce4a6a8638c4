using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// A text display (the VGA text driver, /service/display, SIPs/Drivers/Display; client: the
    /// console service). Write carries ASCII text in an exchange buffer, which the display shows
    /// at its cursor: printable characters advance it, '\n' starts the next line, '\r' returns to
    /// column 0, '\b' moves back one column (not past column 0), '\t' advances to the next column
    /// that is a multiple of 8; past the last line the screen scrolls up one line. Other
    /// characters show as '?'. Clear blanks the screen and puts the cursor at the top left;
    /// MoveCursor puts it at a row and column (clamped to the screen). Every request is answered
    /// by Cursor with where the cursor is now, once the screen shows the result, so a client
    /// cannot outrun the display. Either side may close at any time.
    /// </summary>
    [Contract(Protocol = """
        closable state Ready: one {
            Write? -> Cursor! -> Ready;
            Clear? -> Cursor! -> Ready;
            MoveCursor? -> Cursor! -> Ready;
        }
        """)]
    public partial interface DisplayContract
    {
        [In] void Write(ExBuffer text);
        [In] void Clear();
        [In] void MoveCursor(int row, int column);
        [Out] void Cursor(int row, int column);
    }
}

using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// Lines typed at the keyboard (the console service, /service/console-lines): the service takes
    /// key presses from the keyboard driver (KeyboardContract), edits and echoes the line, and at
    /// Enter sends it (<c>length</c> ASCII bytes, without the line end, in an exchange buffer of at least one byte) to the newest subscriber.
    /// Libraries/Console's ReadLine (the shell) merges these lines with the serial line's.
    /// </summary>
    [Contract(Protocol = """
        closable state Streaming: Line! -> Streaming;
        """)]
    public partial interface ConsoleLinesContract
    {
        [Out] void Line(int length, ExBuffer text);
    }
}

using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// Key presses from the PS/2 keyboard driver (SIPs/Drivers/Keyboard, /service/keyboard). A
    /// client binds and receives one Key per key pressed, in order, for as long as it holds the
    /// channel (the driver serves one subscriber at a time, the newest). <c>key</c> is the ASCII
    /// code of what the key types (shift, caps lock and ctrl applied: 'A', '!', 3 for Ctrl-C;
    /// Enter 13, Backspace 8, Tab 9, Escape 27) or one of <see cref="KeyCodes"/> for a key that
    /// types nothing (the arrows); <c>modifiers</c> are <see cref="KeyCodes"/>' Shift, Ctrl and
    /// CapsLock bits held at the press. Releases and modifier keys alone send nothing.
    /// </summary>
    [Contract(Protocol = """
        closable state Streaming: Key! -> Streaming;
        """)]
    public partial interface KeyboardContract
    {
        [Out] void Key(int key, int modifiers);
    }

    /// <summary>The codes and modifier bits of <see cref="KeyboardContract"/>.</summary>
    public static class KeyCodes
    {
        /// <summary>The name the keyboard driver registers.</summary>
        public const string ServiceName = "/service/keyboard";

        public const int Enter = 13, Backspace = 8, Tab = 9, Escape = 27;
        public const int Up = 0x101, Down = 0x102, Left = 0x103, Right = 0x104;
        public const int Shift = 1, Ctrl = 2, CapsLock = 4;
    }
}

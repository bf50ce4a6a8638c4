using Singularity.Contracts;

// Scancode set 1 (what the i8042 delivers with translation on) to key presses: make codes
// 0x01-0x3A, a break is the make code | 0x80, 0xE0 prefixes the extended keys (the arrows, the
// right ctrl). Keeps the state of shift, ctrl and caps lock between bytes. Returns, per byte, the
// key a press types (KeyboardContract's codes), or 0 when the byte types nothing (a release, a
// modifier, a prefix, an unknown code).
public sealed class ScancodeSet1
{
    // Index = make code. '\0' where a key types nothing (ctrl, shifts, alt).
    private const string Plain = "\0\u001b1234567890-=\b\tqwertyuiop[]\r\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
    private const string Shifted = "\0\u001b!@#$%^&*()_+\b\tQWERTYUIOP{}\r\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";
    private const int LeftShift = 0x2A, RightShift = 0x36, Ctrl = 0x1D, CapsLock = 0x3A;

    private bool _extended, _leftShift, _rightShift, _ctrl, _capsLock;

    /// <summary>The modifier bits (KeyCodes.Shift, Ctrl, CapsLock) held now.</summary>
    public int Modifiers => (_leftShift || _rightShift ? KeyCodes.Shift : 0) | (_ctrl ? KeyCodes.Ctrl : 0) | (_capsLock ? KeyCodes.CapsLock : 0);

    /// <summary>Takes one byte from the controller; the key it completes, or 0.</summary>
    public int Take(byte b)
    {
        if (b == 0xE0) { _extended = true; return 0; }
        bool extended = _extended;
        _extended = false;
        bool released = (b & 0x80) != 0;
        int code = b & 0x7F;
        if (code == LeftShift && !extended) { _leftShift = !released; return 0; }
        if (code == RightShift && !extended) { _rightShift = !released; return 0; }
        if (code == Ctrl) { _ctrl = !released; return 0; }        // left, or right (extended)
        if (released) return 0;
        if (code == CapsLock && !extended) { _capsLock = !_capsLock; return 0; }
        if (extended)
        {
            if (code == 0x48) return KeyCodes.Up;
            if (code == 0x50) return KeyCodes.Down;
            if (code == 0x4B) return KeyCodes.Left;
            if (code == 0x4D) return KeyCodes.Right;
            if (code == 0x1C) return KeyCodes.Enter;            // the keypad's Enter
            return 0;
        }
        if (code >= Plain.Length) return 0;
        bool shift = _leftShift || _rightShift;
        char c = shift ? Shifted[code] : Plain[code];
        if (c == '\0') return 0;
        if (_capsLock && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) c = (char)(c ^ 0x20);
        if (_ctrl)
        {
            char lower = Plain[code];
            if (lower >= 'a' && lower <= 'z') return lower - 'a' + 1;   // Ctrl-A 1 ... Ctrl-C 3 ... Ctrl-Z 26
            if (lower == '[') return 27;
            if (lower == '\\') return 28;
            if (lower == ']') return 29;
        }
        return c;
    }
}

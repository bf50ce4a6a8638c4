using Singularity.Drivers;

// The VGA text hardware as the grant gives it: the 80x25 text buffer at 0xB8000 (memory range 0,
// 4000 bytes: two bytes per cell) and the CRT controller's index and data ports 0x3D4/0x3D5
// (port range 0), whose registers 0x0E/0x0F hold the hardware cursor's cell and 0x0A/0x0B its
// shape. Every access is a kernel call checked against the grant (docs/drivers.md), so cells go
// four at a time as 64-bit writes, and only the ones that changed.
public sealed class VgaText
{
    private const int CrtcIndex = 0;
    private const int CrtcData = 1;

    private readonly IoMemoryRange _text;
    private readonly IoPortRange _crtc;

    public VgaText(IoMemoryRange text, IoPortRange crtc)
    {
        _text = text;
        _crtc = crtc;
    }

    /// <summary>Turns the hardware cursor on as an underline (scan lines 14-15 of the cell).</summary>
    public void ShowCursor()
    {
        _crtc.Write8(CrtcIndex, 0x0A);
        byte start = _crtc.Read8(CrtcData);
        _crtc.Write8(CrtcData, (byte)((start & 0xC0) | 14));     // bit 5 clear: cursor on
        _crtc.Write8(CrtcIndex, 0x0B);
        byte end = _crtc.Read8(CrtcData);
        _crtc.Write8(CrtcData, (byte)((end & 0xE0) | 15));
    }

    /// <summary>Copies the screen's changed cells to text memory and moves the hardware cursor to the screen's.</summary>
    public void Show(TextScreen screen)
    {
        int from = screen.DirtyFrom & ~3;
        int to = (screen.DirtyTo + 3) & ~3;
        for (int i = from; i < to && i < TextScreen.Cells; i += 4)
        {
            ulong four = screen.Cell(i) | ((ulong)screen.Cell(i + 1) << 16) | ((ulong)screen.Cell(i + 2) << 32) | ((ulong)screen.Cell(i + 3) << 48);
            _text.Write64(i * 2, four);
        }
        screen.MarkShown();
        int at = screen.Row * TextScreen.Columns + screen.Column;
        _crtc.Write8(CrtcIndex, 0x0F);
        _crtc.Write8(CrtcData, (byte)(at & 0xFF));
        _crtc.Write8(CrtcIndex, 0x0E);
        _crtc.Write8(CrtcData, (byte)(at >> 8));
    }
}

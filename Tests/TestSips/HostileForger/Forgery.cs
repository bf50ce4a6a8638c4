using System;
using System.Runtime.InteropServices;
using Singularity;
using Singularity.Channels;
using Singularity.Ipc;
using Singularity.Threading;

/// <summary>
/// Guessed and forged handle numbers, written into runtime structs' private fields through
/// overlapping explicit layouts (as IL could if the verifier let such a layout through): every
/// number this SIP does not own is refused by the kernel, and nothing else changes.
/// </summary>
internal static class Forgery
{
    // Overlapping a runtime struct's private fields: the analyzer (SING0011) and the verifier
    // (SV0112) refuse these layouts, so this fixture is unverified; it stands for a verifier bug.
    [StructLayout(LayoutKind.Explicit)]
    private struct ForgedEndpoint
    {
        [FieldOffset(0)] public RawEndpoint Endpoint;
        [FieldOffset(0)] public int Handle;
    }

    // ExBlock is two words: the address of the block's header in the kernel's table (found through
    // the kernel's directory when the value is made) and the block's data address (the header's, read
    // then). An access passes only if the header's check word is that address xored with this SIP's
    // tag. A forged handle number becomes, in the runtime's hands, the header of the slot it names
    // and whatever address that header holds.
    [StructLayout(LayoutKind.Explicit)]
    private struct ForgedBlock
    {
        [FieldOffset(0)] public ExBlock Block;
        [FieldOffset(0)] public ulong Header;
        [FieldOffset(8)] public ulong Data;
    }

    // RawMessage: tag, handle count, 8 data words, then the four handles (the first at 72).
    [StructLayout(LayoutKind.Explicit)]
    private struct ForgedMessage
    {
        [FieldOffset(0)] public RawMessage Message;
        [FieldOffset(4)] public int HandleCount;
        [FieldOffset(72)] public ulong H0;
    }

    // MessageFrame: RawMessage (104 bytes: tag, handle count, 8 data words, 4 handles), then
    // the put offset, the take offset and the handle index.
    [StructLayout(LayoutKind.Explicit)]
    private struct ForgedFrame
    {
        [FieldOffset(0)] public MessageFrame Frame;
        [FieldOffset(104)] public int PutOffset;
        [FieldOffset(108)] public int TakeOffset;
    }

    private const ulong KindBlock = 1UL << 62;
    private const ulong KindEndpoint = 2UL << 62;

    public static int Run()
    {
        var p = new Probes("handles");
        ForgedHandleCounts(p);
        GuessedEndpoints(p);
        GuessedBlocks(p);
        p.Check("no exchange memory left owned", Exchange.BytesOwned == 0);
        return p.Finish();
    }

    // A message whose handle count was overwritten: the kernel takes at most four handles and
    // checks each; the runtime reads only the four it has.
    private static void ForgedHandleCounts(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        int[] counts = Probes.Values(5, 1000, -1, int.MinValue, int.MaxValue);
        int accepted = 0;
        for (int k = 0; k < counts.Length; k++)
        {
            var f = new ForgedMessage();
            f.Message.Tag = 12;
            f.HandleCount = counts[k];
            if (a.Send(ref f.Message, 0) != RecvStatus.BadMessage) accepted++;
            int got = 0;
            try { f.Message.GetBlock(3); got++; } catch (Exception) { }
            try { f.Message.GetBlock(4); got++; } catch (Exception) { }
            if (got > 1) p.Fail("a message with handle count " + counts[k].ToString() + " gave a fifth handle");
        }
        p.Check("messages with forged handle counts (5, 1000, -1, int.MinValue, int.MaxValue) are BadMessage", accepted == 0);
        p.Check("nothing arrived", b.Receive(out RawMessage r, 0) == RecvStatus.TimedOut);
        a.Close(); b.Close();
    }

    // Handle numbers are per SIP: every number this SIP does not hold an endpoint under is refused,
    // and closing numbers that name its other objects (threads, events) leaves them working.
    private static void GuessedEndpoints(Probes p)
    {
        var ev = new Event(false, false);
        var stop = new Event(true, false);
        Thread t = Thread.Start(() => stop.Wait());
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        int accepted = 0, refused = 0;
        int[] hValues1 = Guesses();
        for (int k1 = 0; k1 < hValues1.Length; k1++)
        {
            int h = hValues1[k1];
            var f = new ForgedEndpoint { Handle = h };
            var m = new RawMessage { Tag = 8 };
            RecvStatus s = f.Endpoint.Send(ref m, 0);
            if (s == RecvStatus.BadHandle) { refused++; continue; }
            accepted++;
            if (h != Number(a) && h != Number(b)) p.Fail("a send on guessed handle " + h.ToString() + " was " + (s == RecvStatus.Ok ? "accepted" : "not BadHandle"));
        }
        p.Check("guessed endpoint handles: only this SIP's two endpoints accepted (" + accepted.ToString() + " accepted, " + refused.ToString() + " refused)", accepted == 2);
        // Drain what the two accepted sends queued, then try closing every other number.
        while (a.Receive(out RawMessage r1, 0) == RecvStatus.Ok) { }
        while (b.Receive(out RawMessage r2, 0) == RecvStatus.Ok) { }
        int[] hValues2 = Guesses();
        for (int k2 = 0; k2 < hValues2.Length; k2++)
        {
            int h = hValues2[k2];
            if (h != Number(a) && h != Number(b)) new ForgedEndpoint { Handle = h }.Endpoint.Close();
        }
        ev.Set();
        p.Check("an event survives Close on every guessed handle", ev.Wait(1000));
        stop.Set();
        p.Check("a thread survives Close on every guessed handle", t.Join(5000));
        var ping = new RawMessage { Tag = 9 };
        p.Check("the channel survives", a.Send(ref ping, 1000) == RecvStatus.Ok && b.Receive(out RawMessage pr, 1000) == RecvStatus.Ok && pr.Tag == 9);
        // An endpoint number in a message: only this SIP's own endpoints may travel.
        RawEndpoint.CreateChannel(out RawEndpoint c, out RawEndpoint d);
        int carried = 0;
        int[] hValues3 = Guesses();
        for (int k3 = 0; k3 < hValues3.Length; k3++)
        {
            int h = hValues3[k3];
            var m = new RawMessage { Tag = 10 };
            m.Add(new ForgedEndpoint { Handle = h }.Endpoint);
            if (c.Send(ref m, 0) != RecvStatus.BadMessage) carried++;
        }
        p.Check("guessed endpoint numbers carried in a message: only this SIP's own (" + carried.ToString() + ")", carried <= 2);
        for (int i = 0; i < carried; i++) if (d.Receive(out RawMessage cr, 0) == RecvStatus.Ok) DropHandles(cr);
        a.Close(); b.Close(); c.Close(); d.Close();
    }

    private static void DropHandles(RawMessage m)
    {
        for (int i = 0; i < m.HandleCount; i++)
        {
            if (m.IsBlock(i)) m.GetBlock(i).Free();
            else m.GetEndpoint(i).Close();
        }
    }

    private static int[] Guesses()
    {
        var g = new int[300 + 6];
        for (int i = 0; i < 300; i++) g[i] = i;
        g[300] = -1; g[301] = int.MinValue; g[302] = int.MaxValue; g[303] = 256; g[304] = 65536; g[305] = -256;
        return g;
    }

    private static int Number(RawEndpoint e) => new ForgedEndpoint { Endpoint = e }.Handle;

    // Exchange-block handles are a slot and a generation: every guess names at most a block of
    // another SIP (the bystander's), and every guess but this SIP's own block must be refused. Two
    // ways to forge: a handle number written into a message (sent as it is, or made into a block
    // by GetBlock, as the runtime makes one from any handle), and a block value whose fields are
    // written directly: the header of the guessed slot (its address worked out from this SIP's own
    // blocks' headers, in the same chunk of the table) with this SIP's own block's address, and this
    // SIP's own header with other addresses (a block it freed, near misses). The runtime trusts the
    // value's fields as it wrote them, so this stands for a verifier bug (docs/channels.md); still,
    // a header passes only with its own block's address, and only for this SIP.
    private static void GuessedBlocks(Probes p)
    {
        ExBlock mine = ExBlock.Allocate(48);
        ExBlock second = ExBlock.Allocate(48);
        ulong myHandle = HandleOf(mine), secondHandle = HandleOf(second);
        p.Check("a block handle is a block-kind handle", (myHandle & (3UL << 62)) == KindBlock);
        ulong myHeader = new ForgedBlock { Block = mine }.Header, myData = new ForgedBlock { Block = mine }.Data;
        ulong secondHeader = new ForgedBlock { Block = second }.Header, secondData = new ForgedBlock { Block = second }.Data;
        long slotStep = (long)(uint)secondHandle - (long)(uint)myHandle;
        long headerStep = slotStep == 0 ? 0 : ((long)secondHeader - (long)myHeader) / slotStep;
        second.Free();
        p.Check("a block value's second word is its block's address (below 2^40; the two blocks 48 bytes apart at least)",
            myData != 0 && myData < 1UL << 40 && secondData < 1UL << 40 && (myData >= secondData + 48 || secondData >= myData + 48));
        p.Check("headers are a table (two blocks' header addresses a whole number of slots apart)", headerStep > 0 && headerStep <= 64);
        ulong mySlot = (uint)myHandle, chunkFirst = mySlot & ~1023UL;
        // Forged header addresses only inside the chunk of the two blocks measured (else the step is unknown).
        bool fieldsForgeable = headerStep > 0 && headerStep <= 64 && ((uint)secondHandle & ~1023U) == chunkFirst;
        if (!fieldsForgeable) p.Fail("the two blocks' headers are not in one chunk of the table: forged block values not tried");
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        int accepted = 0, lengths = 0, forgedSends = 0, forgedAccesses = 0;
        for (ulong gen = 0; gen < 4; gen++)
            for (ulong slot = chunkFirst; slot < chunkFirst + 1024; slot++)
            {
                ulong h = KindBlock | (gen << 32) | slot;
                var f = new ForgedMessage();
                f.Message.Tag = 11;
                f.HandleCount = 1;
                f.H0 = h;
                RecvStatus s = a.Send(ref f.Message, 0);
                if (s != RecvStatus.BadMessage)
                {
                    accepted++;
                    if (h != myHandle) p.Fail("a message carrying guessed block handle " + h.ToString() + " was not refused");
                    else if (s == RecvStatus.Ok && b.Receive(out RawMessage back, 1000) == RecvStatus.Ok) mine = back.GetBlock(0);
                }
                // The fields of a block value, forged (a value has no generation: once per slot): the
                // guessed slot's header with this SIP's own block's address.
                if (fieldsForgeable && gen == 0)
                {
                    var forged = new ForgedBlock { Header = (ulong)((long)myHeader + ((long)slot - (long)mySlot) * headerStep), Data = myData };
                    var fm = new RawMessage { Tag = 12 };
                    fm.Add(forged.Block);
                    RecvStatus fs = a.Send(ref fm, 0);
                    if (fs != RecvStatus.BadMessage)
                    {
                        forgedSends++;
                        if (slot != mySlot) p.Fail("a message carrying a forged block value for slot " + slot.ToString() + " was not refused");
                        else if (fs == RecvStatus.Ok && b.Receive(out RawMessage back2, 1000) == RecvStatus.Ok) mine = back2.GetBlock(0);
                    }
                    try { byte v = forged.Block[0]; forgedAccesses++; if (slot != mySlot) p.Fail("a forged block value for slot " + slot.ToString() + " read a byte"); }
                    catch (InvalidOperationException) { }
                }
                if (gen < 2 && slot < chunkFirst + 256)
                {
                    var g = new ForgedMessage();
                    g.HandleCount = 1;
                    g.H0 = h;
                    ExBlock guess = g.Message.GetBlock(0);
                    try { int n = guess.Length; lengths++; if (h != myHandle) p.Fail("guessed block handle " + h.ToString() + " gave access to " + n.ToString() + " bytes"); }
                    catch (InvalidOperationException) { }
                }
            }
        p.Check("guessed block handles: only this SIP's own block was usable (" + accepted.ToString() + " sends, " + lengths.ToString() + " accesses)", accepted <= 1 && lengths <= 1);
        p.Check("forged block values: only this SIP's own block was usable (" + forgedSends.ToString() + " sends, " + forgedAccesses.ToString() + " accesses)", forgedSends <= 1 && forgedAccesses <= 1);
        // This SIP's own header with other addresses, and the freed block's own value: refused.
        ulong[] addresses = { myData + 1, myData + 16, myData - 16, myData + 4096, myData + (1UL << 40), myData ^ (1UL << 40), 0 };
        int nearMisses = 0;
        for (int k = 0; k <= addresses.Length; k++)
        {
            var near = k < addresses.Length ? new ForgedBlock { Header = myHeader, Data = addresses[k] } : new ForgedBlock { Header = secondHeader, Data = secondData };
            try { byte v = near.Block[0]; nearMisses++; }
            catch (InvalidOperationException) { }
            var nm = new RawMessage { Tag = 13 };
            nm.Add(near.Block);
            if (a.Send(ref nm, 0) != RecvStatus.BadMessage) nearMisses++;
        }
        p.Check("a block's header with another address, and a freed block's value, are refused", nearMisses == 0);
        ulong[] hValues4 = Probes.Values(0UL, ulong.MaxValue, KindEndpoint | 1, KindBlock | 0xFFFFFFFFUL, KindBlock | (0x3FFFFFFFUL << 32), 3UL << 62);
        for (int k4 = 0; k4 < hValues4.Length; k4++)
        {
            ulong h = hValues4[k4];
            var g = new ForgedMessage();
            g.HandleCount = 1;
            g.H0 = h;
            p.Refused("block handle " + h.ToString() + ": GetBlock and Free", () => { ExBlock guess = g.Message.GetBlock(0); guess.Free(); });
        }
        // GetBlock's usual case finds the header from the handle's slot masked into the directory
        // and takes it only if the header's own slot and generation equal the handle's: a handle
        // whose slot is past the directory by a multiple of its size, with this SIP's own block's
        // generation, lands on that block's header and must still be refused (the null block).
        ulong live = HandleOf(mine);
        for (int k5 = 1; k5 <= 3; k5++)
        {
            var g = new ForgedMessage();
            g.HandleCount = 1;
            g.H0 = live + ((ulong)k5 << 20);
            p.Refused("block handle " + g.H0.ToString() + " (this SIP's own block's slot plus " + k5.ToString() + " x 2^20): GetBlock and Free",
                () => { ExBlock alias = g.Message.GetBlock(0); int n = alias.Length; alias.Free(); });
        }
        p.Check("this SIP's block is intact", mine.Length == 48);
        mine.Free();
        a.Close(); b.Close();
    }

    // The handle the kernel knows a block by, as a message carries it.
    private static ulong HandleOf(ExBlock block)
    {
        var f = new ForgedMessage();
        f.Message.Add(block);
        return f.H0;
    }

    /// <summary>
    /// A MessageFrame whose take offset was overwritten with a negative value must not read
    /// outside its 64 data bytes (it once checked only offset + size > 64: memory below the frame).
    /// </summary>
    public static int ForgedFrameOffsets()
    {
        var p = new Probes("frame");
        var f = new ForgedFrame();
        f.Frame.Put<long>(0x1234);
        p.Check("the forged layout matches MessageFrame's (put offset 8 after one long)", f.PutOffset == 8);
        f.TakeOffset = 64;
        p.Refused("Take<long>() at offset 64", () => { ForgedFrame g = f; g.Frame.Take<long>(); });
        // Only offsets that land in this SIP's own stack: with the bug they read (and, for -8,
        // write) there instead of being refused, so the mode reports them and survives.
        int[] offValues5 = Probes.Values(-8, -4096);
        for (int k5 = 0; k5 < offValues5.Length; k5++)
        {
            int off = offValues5[k5];
            f.TakeOffset = off;
            p.Refused("Take<long>() at forged offset " + off.ToString(), () => { ForgedFrame g = f; g.Frame.Take<long>(); });
        }
        f.PutOffset = -8;
        p.Refused("Put<long>() at forged offset -8", () => { ForgedFrame g = f; g.Frame.Put<long>(7); });
        return p.Finish();
    }
}

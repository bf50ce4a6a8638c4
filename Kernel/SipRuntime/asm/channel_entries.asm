; The channel calls a round trip or a move makes, entered as direct calls (ChannelEntries.cs).
; Calling the ABI table's entry from C# (a managed function pointer) loads the table, loads the
; entry and tests it for a fat pointer on every call, with a second call site for that case;
; here each is one jump through a slot that start-up fills from the checked table. The arguments
; are where the caller put them (the same calling convention as the table's entries).
bits 64
default rel

global sip_channel_entries, sip_channel_send, sip_channel_receive, sip_channel_call, sip_channel_reply_and_receive

section .text
; The slots' address, for start-up to fill (ChannelEntries.Initialize).
sip_channel_entries:
    lea rax, [channel_entries]
    ret

sip_channel_send:
    jmp [channel_entries]
sip_channel_receive:
    jmp [channel_entries + 8]
sip_channel_call:
    jmp [channel_entries + 16]
sip_channel_reply_and_receive:
    jmp [channel_entries + 24]

section .data
align 8
channel_entries:
    times 4 dq 0

; The ABI's Send (entry 27) and Receive (entry 28): the general channel send and receive, with
; no switch of their own (docs/channels.md "Lean send and receive"). Each is its own ABI stub
; (abi_entry.inc: a call and a return fewer than a stub in front); the C# side (Ipc/ChannelCalls.cs,
; SendEntry and ReceiveEntry) does all the work with interrupts off. This file only moves to the
; kernel stack, disables interrupts once and enables them again (SIP code always runs with them
; enabled, yield.asm), so the C# side has no rflags helper calls and no flags to keep, and hands
; it the running thread's SIP (rcx, from the thread's entry block: no thread or owner loads); a wait
; in the general path blocks and resumes on this frame like any kernel call.
bits 64
%include "abi_entry.inc"
section .text
global abi_channel_send_address, abi_channel_receive_address, abi_channel_send, abi_channel_receive
extern channel_send_entry, channel_receive_entry, cpu_entry_state

abi_channel_send_address:
    lea rax, [rel abi_channel_send]
    ret
abi_channel_receive_address:
    lea rax, [rel abi_channel_receive]
    ret

align 16                            ; an entry word-aligned (the runtime refuses a fat pointer: bit 1)
; int abi_channel_send(int handle /rdi/, ChannelMessage* m /rsi/, ulong timeoutNs /rdx/): entry 27,
; called by SIP code; the C# call (the SIP in rcx) is aligned at the slot.
abi_channel_send:
    ENTER_KERNEL_STACK rcx
    cli                             ; channel state is guarded by disabling interrupts
    call channel_send_entry
    sti
    RETURN_TO_SIP

align 16                            ; an entry word-aligned (the runtime refuses a fat pointer: bit 1)
; int abi_channel_receive(int handle /rdi/, ChannelMessage* m /rsi/, ulong timeoutNs /rdx/): entry 28, as above.
abi_channel_receive:
    ENTER_KERNEL_STACK rcx
    cli
    call channel_receive_entry
    sti
    RETURN_TO_SIP

; The ABI's Send (entry 27) and Receive (entry 28): the general channel send and receive, with
; no switch of their own (docs/channels.md "Lean send and receive"). Their ABI stubs call these
; on the thread's kernel stack; the C# side (Ipc/ChannelCalls.cs, SendEntry and ReceiveEntry)
; does all the work with interrupts off. This file only disables interrupts once and gives the
; caller's rflags back, so the C# side has no rflags helper calls and no flags to keep; a wait
; in the general path blocks and resumes on this frame like any kernel call.
bits 64
section .text
global abi_channel_send_address, abi_channel_receive_address
extern channel_send_entry, channel_receive_entry

abi_channel_send_address:
    lea rax, [rel abi_channel_send]
    ret
abi_channel_receive_address:
    lea rax, [rel abi_channel_receive]
    ret

; int abi_channel_send(int handle /rdi/, ChannelMessage* m /rsi/, ulong timeoutNs /rdx/): called
; by abi_stub_27 with rsp 16-byte aligned before the call; the pushfq keeps the C# call aligned.
abi_channel_send:
    pushfq                          ; IF as the caller had it; popfq gives it back
    cli                             ; channel state is guarded by disabling interrupts
    call channel_send_entry
    popfq
    ret

; int abi_channel_receive(int handle /rdi/, ChannelMessage* m /rsi/, ulong timeoutNs /rdx/): as above.
abi_channel_receive:
    pushfq
    cli
    call channel_receive_entry
    popfq
    ret

; The ABI's Call (entry 44) and ReplyAndReceive (entry 56) with the lean switch of the channel
; fast path (issue 17, docs/channels.md "Fast path", docs/scheduling.md "Hand-off"). Each is its
; own ABI stub (abi_entry.inc): it moves to the thread's kernel stack itself. The C# side
; (Ipc/ChannelFastPath.cs) decides and does all the work: the checks, the delivery into the partner's buffer and the hand-off's
; bookkeeping (Scheduler.HandOffLean), and returns the partner's saved stack pointer; this file
; only saves and swaps the stack, as yield.asm does for Yield. So the SIP's callee-saved registers
; are pushed once (not by C# prologues and again by switch_context), interrupts are disabled once
; and enabled on the way back (SIP code always runs with them enabled, yield.asm; no rflags helper
; calls, no rflags word), and no C# frame lives across the switch.
;
; Below the switch frame, the entry keeps its arguments and what its wait needs afterwards on
; the thread's own kernel stack (a CallFrame or ReplyFrame of ChannelFastPath): the thread that
; is switched away resumes here. In the usual case the thread that delivered its message has
; completed its wait already (ChannelFastPath.Deliver: the frame's word at [rsp + 8] zeroed, the
; index written), and it returns Ok at once; else the resume routine finishes the wait from the
; frame (the general receive, a timeout, a close, the resume check).
;
; The frame pushed by .switch is switch_context's (switch.asm): r15..r12, rbx, rbp, then the
; return address. A thread saved here may be resumed by switch_context and one saved by
; switch_context resumed here.
bits 64
%include "switch_frame.inc"
%include "abi_entry.inc"
section .text
global abi_channel_call_address, abi_reply_and_receive_address, abi_channel_call, abi_reply_and_receive
extern channel_call_lean, channel_call_general, channel_call_resumed
extern channel_reply_lean, channel_reply_general, channel_reply_resumed
extern resume_checks, cpu_entry_state

abi_channel_call_address:
    lea rax, [rel abi_channel_call]
    ret
abi_reply_and_receive_address:
    lea rax, [rel abi_reply_and_receive]
    ret

; The switch half, the same for both entries, called from the entry (.switch) with its frame just
; above the return address. %1: the C# lean routine (frame) -> the partner's saved
; stack pointer or 0; %2: the general path (frame) -> the result; %3: the frame's size. Stack words
; below the (16-byte aligned) ABI slot: the frame (one word of it unused: CallFrame.Alignment)
; makes an odd count, and the switch frame's seven words an even one, so the lean routine and the
; general path are called aligned from the switch frame, with no `sub`; the resume routine, called
; from the entry's frame, takes a word of alignment (LEAN_RESUME).
%macro LEAN_SWITCH 3
    PUSH_SWITCH_FRAME
    lea rdi, [rsp + 56]             ; the entry's frame (no TSC: a hand-off charges nobody); the
                                    ; switch frame, if this thread is switched away, is 56 below
    call %1                         ; 0, or the partner's saved stack pointer (all else done)
    test rax, rax
    jz .general
    mov rsp, rax                    ; from here the partner's stack
    POP_SWITCH_FRAME_AND_RETURN
.general:
    ; Not lean (nothing was changed; C# kept the six saved registers unchanged): the general path
    ; runs on the entry's frame, called from here (aligned); then the switch frame, .switch's
    ; return address and the entry's frame are dropped.
    lea rdi, [rsp + 56]
    call %2
    sti
    RETURN_TO_SIP_FROM 56 + %3
%endmacro

; The resume of a thread the lean path switched away, with rsp at its entry's frame. %1: the resume
; routine; %2: the frame's size. The word at [rsp + 8] (CallFrame.Endpoint, ReplyFrame.Pending) is
; 0 when the deliverer completed the wait (Ok, the index written): then nothing is left to do unless
; the resume check is armed (Scheduler.CheckResumes), which the resume routine runs. Both words
; or'ed in one test, which leaves rax 0 (ChannelStatus.Ok) when there is nothing to do.
%macro LEAN_RESUME 2
    mov rax, [rsp + 8]
    or rax, [rel resume_checks]
    jnz %%otherwise
    sti
    RETURN_TO_SIP_FROM %2
%%otherwise:
    mov rdi, rsp
    sub rsp, 8                      ; 16-byte alignment for the call
    call %1
    sti
    RETURN_TO_SIP_FROM %2 + 8
%endmacro

align 16                            ; an entry word-aligned (the runtime refuses a fat pointer: bit 1)
; int abi_channel_call(int handle /rdi/, ChannelMessage* request /rsi/, ChannelMessage* reply /rdx/,
;                      ulong timeoutNs /rcx/)
; Its frame (ChannelFastPath.CallFrame, low to high): deadline, endpoint, alignment, handle,
; request, reply, timeout.
abi_channel_call:
    ENTER_KERNEL_STACK              ; rsp 16-byte aligned at the slot
    cli                             ; channel and scheduler state is guarded by disabling interrupts
    push rcx
    push rdx
    push rsi
    push rdi
    sub rsp, 24
    call .switch                    ; the resume address of this thread's switch frame
    ; This thread runs again (switched away by the lean path, and back): its wait ended (the
    ; partner delivered the reply, or anything else).
    LEAN_RESUME channel_call_resumed, 56
.switch:
    LEAN_SWITCH channel_call_lean, channel_call_general, 56

align 16                            ; an entry word-aligned (the runtime refuses a fat pointer: bit 1)
; int abi_reply_and_receive(long replyAndCount /rdi/, ChannelMessage* reply /rsi/,
;                           ChannelMessage* received /rdx/, int* handles /rcx/, int* results /r8/,
;                           ulong timeoutNs /r9/)
; Its frame (ChannelFastPath.ReplyFrame): deadline, pending, alignment, replyAndCount, reply,
; received, handles, results, timeout.
abi_reply_and_receive:
    ENTER_KERNEL_STACK
    cli
    push r9
    push r8
    push rcx
    push rdx
    push rsi
    push rdi
    sub rsp, 24
    call .switch
    LEAN_RESUME channel_reply_resumed, 72
.switch:
    LEAN_SWITCH channel_reply_lean, channel_reply_general, 72

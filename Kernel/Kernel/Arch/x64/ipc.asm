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
; completed its wait already (ChannelFastPath.CompleteLean: the index written, the thread's
; return address moved to its done path), and it returns Ok at once; else the resume routine
; finishes the wait from the frame (the general receive, a timeout, a close), or runs the general
; path when the lean routine did nothing.
;
; The frame pushed by .switch is switch_context's (switch.asm): r15..r12, rbx, rbp, then the
; return address. A thread saved here may be resumed by switch_context and one saved by
; switch_context resumed here.
bits 64
%include "switch_frame.inc"
%include "abi_entry.inc"
section .text
global abi_channel_call_address, abi_reply_and_receive_address, abi_channel_call, abi_reply_and_receive, lean_done_offset_value
global lean_check_resumes
extern channel_call_lean, channel_call_resumed, channel_reply_lean, channel_reply_resumed
extern channel_lean_checked, cpu_entry_state

abi_channel_call_address:
    lea rax, [rel abi_channel_call]
    ret
abi_reply_and_receive_address:
    lea rax, [rel abi_reply_and_receive]
    ret

; Both entries' frames are nine words (ChannelFastPath.CallFrame, ReplyFrame: Call's has three
; unused), so one done path serves both. Stack words below the (16-byte aligned) ABI slot: the
; frame's nine and the switch frame's seven make an even count, so the lean routine is called
; aligned from the switch frame, with no `sub`; the resume routine, called from the entry's frame,
; takes a word of alignment.
%define LEAN_FRAME 72

; From a lean entry's resume address (its `call .switch` returns there) to its done address: the
; deliverer that completes a thread's wait adds this to the return address in that thread's
; switch frame (ChannelFastPath.CompleteLean, LeanDoneOffset), so the thread resumes at the done
; path, whoever resumes it, and the resume address proper is reached only by a wait not completed
; (or an entry the lean path did nothing for). The same for both entries.
%define LEAN_DONE_OFFSET 32
lean_done_offset_value:             ; LEAN_DONE_OFFSET, for the C# side's boot check (ResumeDone)
    mov eax, LEAN_DONE_OFFSET
    ret

; The switch half, the same for both entries, called from the entry (.switch) with its frame just
; above the return address. %1: the C# lean routine (frame) -> the partner's saved stack pointer
; or 0. With 0 the lean routine changed nothing (and kept the six saved registers unchanged):
; `cmovnz` leaves rsp at this thread's own switch frame, which is popped as a partner's would be
; and returns to this thread's resume address, where the resume routine runs the general path
; (it finds ThreadChannels.LeanFrame 0: no lean wait). So the usual hop has no branch here.
%macro LEAN_SWITCH 1
    PUSH_SWITCH_FRAME
    lea rdi, [rsp + 56]             ; the entry's frame (no TSC: a hand-off charges nobody); the
                                    ; switch frame, if this thread is switched away, is 56 below
    call %1                         ; 0, or the partner's saved stack pointer (all else done)
    test rax, rax
    cmovnz rsp, rax                 ; from here the partner's stack (or still this thread's)
    POP_SWITCH_FRAME_AND_RETURN
%endmacro

; Right after an entry's `call .switch`: its resume address and, LEAN_DONE_OFFSET further, its done
; address. %1: the resume routine (frame) -> the result. At the resume address the thread runs
; again with its wait not completed by a delivery (a timeout, a close, a queued message, a
; delivery by the general path: the resume routine ends it as the general path does), or the lean
; routine returned 0 (the resume routine runs the general path on the frame).
%macro LEAN_RESUME 1
.resume:
    mov rdi, rsp
    sub rsp, 8                      ; 16-byte alignment for the call
    call %1
    sti
    RETURN_TO_SIP_FROM LEAN_FRAME + 8
    times LEAN_DONE_OFFSET - ($ - .resume) int3
.done:                              ; the wait was completed (Ok; a ReplyAndReceive's index written)
    jmp [rel lean_done]             ; lean_ok, or lean_ok_checked once resume checks are armed
%endmacro

align 16                            ; an entry word-aligned (the runtime refuses a fat pointer: bit 1)
; int abi_channel_call(int handle /rdi/, ChannelMessage* request /rsi/, ChannelMessage* reply /rdx/,
;                      ulong timeoutNs /rcx/)
; Its frame (ChannelFastPath.CallFrame, low to high): deadline, endpoint, three unused words,
; handle, request, reply, timeout.
abi_channel_call:
    ENTER_KERNEL_STACK              ; rsp 16-byte aligned at the slot
    cli                             ; channel and scheduler state is guarded by disabling interrupts
    push rcx
    push rdx
    push rsi
    push rdi
    sub rsp, 40
    call .switch                    ; the resume address of this thread's switch frame
    ; This thread runs again (switched away by the lean path, and back), or the lean path did
    ; nothing.
    LEAN_RESUME channel_call_resumed
.switch:
    LEAN_SWITCH channel_call_lean

align 16                            ; an entry word-aligned (the runtime refuses a fat pointer: bit 1)
; int abi_reply_and_receive(long replyAndCount /rdi/, ChannelMessage* reply /rsi/,
;                           ChannelMessage* received /rdx/, int* handles /rcx/, int* results /r8/,
;                           ulong timeoutNs /r9/)
; Its frame (ChannelFastPath.ReplyFrame): deadline, unused, alignment, replyAndCount, reply,
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
    LEAN_RESUME channel_reply_resumed
.switch:
    LEAN_SWITCH channel_reply_lean

; The done paths, with rsp at the entry's frame (either entry's: the same size). Ok at once, the
; usual case; once resume checks are armed (Scheduler.CheckResumes, lean_check_resumes), the
; resume check first (Scheduler.AfterHandOff), as after every switch. The choice is read when the
; thread resumes, so a wait completed before the arming and resumed after runs the check too.
lean_ok:
    xor eax, eax                    ; ChannelStatus.Ok
    sti
    RETURN_TO_SIP_FROM LEAN_FRAME
lean_ok_checked:
    sub rsp, 8                      ; 16-byte alignment for the call
    call channel_lean_checked       ; the resume check; Ok
    sti
    RETURN_TO_SIP_FROM LEAN_FRAME + 8

; From now on the done paths run the resume check (called by yield.asm's yield_check_resumes,
; Scheduler.CheckResumes; never undone).
lean_check_resumes:
    lea rax, [rel lean_ok_checked]
    mov [rel lean_done], rax
    ret

section .data
align 8
lean_done: dq lean_ok

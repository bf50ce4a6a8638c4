; Thread switching. A thread that is not running has, at its saved stack pointer, the frame
; switch_context pushed: r15..r12, rbx, rbp and the return address. Every switch is a call from
; the scheduler's C# code with interrupts disabled, so only what the System V ABI makes the callee
; keep needs saving here: the six callee-saved registers and the stack pointer. Not rflags (IF is
; 0 on both sides of every switch, DF is 0 at every call), not MXCSR or the x87 control word (no
; code in the system changes them from their defaults; SIP code cannot), not the SSE and other
; general registers (caller-saved). Preempted threads got here from the timer interrupt, whose
; stub saved their whole register state (SSE included) in the interrupt frame further up the
; same stack; resuming them returns through the interrupt path.
bits 64
%include "switch_frame.inc"
section .text
global switch_context, thread_trampoline
extern kernel_thread_start

; switch_context(ulong* saveRsp /rdi/, ulong newRsp /rsi/). Called with interrupts disabled.
switch_context:
    PUSH_SWITCH_FRAME
    mov [rdi], rsp
    mov rsp, rsi
    POP_SWITCH_FRAME_AND_RETURN

; First code of every new thread (its initial stack "returns" here from switch_context).
thread_trampoline:
    xor ebp, ebp                    ; the end of the frame-pointer chain
    and rsp, -16                    ; System V: rsp is 16-byte aligned at every call
    call kernel_thread_start        ; never returns
    ud2

global thread_trampoline_address
thread_trampoline_address:
    lea rax, [rel thread_trampoline]
    ret

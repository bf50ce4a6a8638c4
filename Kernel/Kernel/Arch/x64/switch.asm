; Thread switching. A thread that is not running has, at its saved stack pointer, the frame
; switch_context pushed: MXCSR and the x87 control word, r15..r12, rbx, rbp, rflags, and the
; return address. Preempted threads got here from the timer interrupt, so their interrupt frame
; lies further up the same stack; resuming them returns through the interrupt path. The other
; SSE and general registers are caller-saved in the System V ABI, so they need no saving here.
bits 64
section .text
global switch_context, thread_trampoline
extern kernel_thread_start

; switch_context(ulong* saveRsp /rdi/, ulong newRsp /rsi/). Called with interrupts disabled.
switch_context:
    pushfq
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    sub rsp, 8
    stmxcsr [rsp]
    fnstcw [rsp + 4]
    mov [rdi], rsp
    mov rsp, rsi
    ldmxcsr [rsp]
    fldcw [rsp + 4]
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    popfq
    ret

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

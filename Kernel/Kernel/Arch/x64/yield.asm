; The ABI's Yield (entry 5) with its lean switch (issue 17, docs/scheduling.md "Yield"). abi_yield
; is its own ABI stub (abi_entry.inc): it moves to the thread's kernel stack itself. The C# side
; decides and does the bookkeeping (Scheduler.YieldLean: checks, charge, queue rotation, entry state); this file only saves and
; swaps the stack, so the SIP's callee-saved registers are pushed once (not by a C# prologue and
; again by switch_context) and no C# frame lives across the switch.
;
; The frame pushed below is switch_context's (switch.asm): r15..r12, rbx, rbp, then the return
; address. Every thread that is not running has that frame at its saved stack pointer, so a
; thread saved here may be resumed by switch_context and one saved by switch_context resumed here.
bits 64
%include "switch_frame.inc"
%include "abi_entry.inc"
section .text
global abi_yield_address, abi_yield, yield_check_resumes, resume_checks
extern scheduler_yield_lean, scheduler_yield_general, scheduler_resumed, cpu_entry_state, lean_check_resumes

abi_yield_address:
    lea rax, [rel abi_yield]
    ret

; From now on a thread resumed here runs the scheduler's resume check (Scheduler.CheckResumes:
; a fault was armed or a SIP hung; never cleared). Until then the check has nothing to do.
; The lean channel entries' done paths too (ipc.asm).
yield_check_resumes:
    mov byte [rel resume_checks], 1
    jmp lean_check_resumes

align 16                            ; an entry word-aligned (the runtime refuses a fat pointer: bit 1)
; void abi_yield(): entry 5, called by SIP code. SIP code always runs with interrupts enabled (it
; starts so, sip_call's callers enable them, and every ABI entry returns with them as it found
; them), so cli here and sti on the way back stand for saving and restoring rflags.
abi_yield:
    ENTER_KERNEL_STACK              ; rsp 16-byte aligned at the slot
    cli                             ; the scheduler's state is guarded by disabling interrupts
    call .switch                    ; the resume address of this thread's switch frame
    ; This thread runs again (it was switched away by the lean path and someone switched back):
    ; its next scheduling point, where the resume hook runs, as after every switch.
    cmp byte [rel resume_checks], 0
    jne .resumed
    sti
    RETURN_TO_SIP
.resumed:
    call scheduler_resumed
    sti
    RETURN_TO_SIP
.switch:
    PUSH_SWITCH_FRAME
    mov rdi, rsp                    ; where this thread's frame is, if it is switched away
    rdtsc                           ; the time it is charged up to, if it is
    shl rdx, 32
    or rax, rdx
    mov rsi, rax
    sub rsp, 8                      ; 16-byte alignment for the call
    call scheduler_yield_lean       ; 0, or the next thread's saved stack pointer (all else done)
    test rax, rax
    jz .general
    mov rsp, rax                    ; from here the next thread's stack
    POP_SWITCH_FRAME_AND_RETURN
.general:
    ; Not lean: drop the alignment, the six saved registers (C# kept them unchanged) and .switch's
    ; return address, and take the general path (which switches through switch_context, if at all).
    add rsp, 64
    call scheduler_yield_general
    sti
    RETURN_TO_SIP

section .data
; Set by Scheduler.CheckResumes (never cleared).
align 8
resume_checks: dq 0

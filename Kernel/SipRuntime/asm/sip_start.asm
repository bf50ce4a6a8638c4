; Entry of every SIP image, and addresses only the linker knows. The kernel calls
; _start(KernelAbi* /rdi/, SipStartInfo* /rsi/) on the SIP's main thread.
bits 64
default rel
extern sip_runtime_start
extern __modules_a, __modules_z, __text_start, __text_end, __image_start, __image_end
global _start, sip_layout_table, sip_read_rsp, sip_capture_registers

section .text
_start:
    xor ebp, ebp                    ; ends the frame-pointer chain
    jmp sip_runtime_start           ; tail call: returns the exit code to the kernel

sip_layout_table:
    lea rax, [sip_layout]
    ret

sip_read_rsp:
    lea rax, [rsp + 8]
    ret

; sip_capture_registers(ulong* out6): the callee-saved registers, which may hold the only
; reference to an object while a collection scans the stack.
sip_capture_registers:
    mov [rdi], rbx
    mov [rdi + 8], rbp
    mov [rdi + 16], r12
    mov [rdi + 24], r13
    mov [rdi + 32], r14
    mov [rdi + 40], r15
    ret

section .data
align 8
sip_layout:
    dq __image_start, __image_end
    dq __text_start, __text_end
    dq __modules_a, __modules_z

section .text
; The time-stamp counter. Under QEMU with -icount shift=0 it counts executed instructions.
global sip_rdtsc
sip_rdtsc:
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret

; sip_zero(dst /rdi/, bytes /rsi/): bytes is a multiple of 8.
global sip_zero
sip_zero:
    mov rcx, rsi
    shr rcx, 3
    xor eax, eax
    rep stosq
    ret


; Interrupt entry stubs. Each pushes (error code, vector) into a uniform frame, saves the
; general registers and the SSE state (ilc's code uses SSE everywhere), and calls the C#
; dispatcher kernel_interrupt(frame*). The dispatcher returns the frame to resume, which
; lets the scheduler switch stacks by returning another thread's frame.
bits 64
section .text
extern kernel_interrupt
global isr_table

%macro ISR_NOERR 1
isr%1:
    push 0
    push %1
    jmp isr_common
%endmacro
%macro ISR_ERR 1
isr%1:
    push %1
    jmp isr_common
%endmacro

%assign v 0
%rep 48
%if v = 8 || v = 10 || v = 11 || v = 12 || v = 13 || v = 14 || v = 17 || v = 21 || v = 29 || v = 30
    ISR_ERR v
%else
    ISR_NOERR v
%endif
%assign v v + 1
%endrep

isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rbx, rsp                    ; the frame
    lea rax, [rsp - 512]
    and rax, ~15
    mov rsp, rax
    fxsave64 [rsp]                  ; SSE state lives just below the frame
    mov rdi, rbx
    call kernel_interrupt           ; rax = frame to resume
    lea rcx, [rax - 512]
    and rcx, ~15
    fxrstor64 [rcx]
    mov rsp, rax
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                     ; vector and error code
    iretq

section .rodata
align 8
isr_table:
%assign v 0
%rep 48
    dq isr %+ v
%assign v v + 1
%endrep

; Interrupt entry stubs. Each pushes (error code, vector) into a uniform frame, saves the
; general registers and the SSE state (ilc's code uses SSE everywhere), and calls the C#
; dispatcher kernel_interrupt(frame*). The dispatcher returns the frame to resume, which
; lets the scheduler switch stacks by returning another thread's frame.
;
; Every vector arrives on an IST stack (Gdt.cs): in ring 0 the CPU would otherwise push the
; frame on whatever stack was running, and a SIP's stack may be a few bytes from its guard page.
; The entry stack is only a landing place: the common stub moves the frame to the running
; thread's kernel stack (below the interrupted stack pointer when kernel code was running there,
; else at the thread's ABI slot, see entry.asm) and handles it there, so the handler may switch
; threads. It stays on the IST stack only for NMI, #DF and #MC (stacks of their own), for a
; kernel stack without room (an overflow, reported by the panic) and for a fault in this stub.
bits 64
default rel
section .text
extern kernel_interrupt, cpu_entry_state
global isr_table

%define FRAME_SIZE   176                ; InterruptFrame: 15 registers, vector, error code, 5 CPU words
%define FRAME_VECTOR 120
%define FRAME_RSP    160
%define HANDLER_ROOM 4096               ; a kernel stack needs this much below a moved frame
%define GUARD        4096
%define ENTRY_RUNNING     0             ; cpu_entry_state (entry.asm, KernelEntry.cs): the running thread's block
%define THREAD_ABI_SLOT   0             ;   its ABI slot
%define THREAD_KSTACK_LOW 8             ;   its kernel stack
%define THREAD_KSTACK_HIGH 16
%define ENTRY_IST_LOW     8
%define ENTRY_IST_HIGH    16

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
%ifidn KERNEL_MAIN, ktest_main
    ; Test image only (kernel-test.elf; the production image has none of this): the TSC at the
    ; interrupt's arrival, 7 instructions into its stub, for the interrupt-latency benchmark
    ; (Kernel/KernelTests/InterruptLatencyProbe.cs reads it through irq_arrival_tsc).
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov [irq_arrival_stamp], rax
%endif
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
    mov rbx, rsp                    ; the frame, on an IST stack
    mov rax, [rbx + FRAME_VECTOR]
    cmp rax, 2                      ; NMI, #DF and #MC stay on their own stacks
    je .stay
    cmp rax, 8
    je .stay
    cmp rax, 18
    je .stay
    mov rax, [rbx + FRAME_RSP]      ; the interrupted stack pointer
    mov r8, [cpu_entry_state + ENTRY_RUNNING]
    mov rcx, [r8 + THREAD_KSTACK_LOW]               ; the running thread's kernel stack
    lea rdx, [rcx - GUARD]          ; (its guard page counts: an overflow is reported from here)
    cmp rax, rdx
    jb .not_kernel
    cmp rax, [r8 + THREAD_KSTACK_HIGH]
    ja .not_kernel
    and rax, -16                    ; kernel code on its kernel stack: continue below it, as the
    lea rdx, [rcx + FRAME_SIZE + HANDLER_ROOM]  ; CPU would without IST, if there is room
    cmp rax, rdx
    jb .stay
    jmp .move
.not_kernel:
    cmp rax, [cpu_entry_state + ENTRY_IST_LOW]       ; a fault in this stub, on the entry stack itself
    jb .sip
    cmp rax, [cpu_entry_state + ENTRY_IST_HIGH]
    jbe .stay
.sip:
    mov rdx, [r8 + THREAD_ABI_SLOT]                 ; SIP code: the frame goes at the thread's ABI slot
    test rdx, rdx
    jz .stay
    lea rax, [rdx + 16]
.move:
    sub rax, FRAME_SIZE
    mov rdi, rax
    mov rsi, rbx
    mov ecx, FRAME_SIZE / 8
    rep movsq
    mov rbx, rax
    mov rsp, rax
.stay:
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

%ifidn KERNEL_MAIN, ktest_main
section .bss
align 8
irq_arrival_stamp: resq 1
section .text
; ulong irq_arrival_tsc(): the TSC the stub recorded at the last interrupt's arrival (test image only).
global irq_arrival_tsc
irq_arrival_tsc:
    mov rax, [irq_arrival_stamp]
    ret
%endif

; Privileged instructions C# cannot express. Each is a leaf with the System V calling
; convention (args in rdi, rsi, rdx; result in rax), imported with [RuntimeImport].
bits 64
section .text

%macro EXPORT 1
global %1
%1:
%endmacro

EXPORT cpu_outb
    mov dx, di
    mov al, sil
    out dx, al
    ret
EXPORT cpu_outw
    mov dx, di
    mov ax, si
    out dx, ax
    ret
EXPORT cpu_outl
    mov dx, di
    mov eax, esi
    out dx, eax
    ret
EXPORT cpu_inb
    mov dx, di
    xor eax, eax
    in al, dx
    ret
EXPORT cpu_inw
    mov dx, di
    xor eax, eax
    in ax, dx
    ret
EXPORT cpu_inl
    mov dx, di
    in eax, dx
    ret

EXPORT cpu_read_cr0
    mov rax, cr0
    ret
EXPORT cpu_read_cr2
    mov rax, cr2
    ret
EXPORT cpu_read_cr3
    mov rax, cr3
    ret
EXPORT cpu_write_cr3
    mov cr3, rdi
    ret
EXPORT cpu_read_cr4
    mov rax, cr4
    ret
EXPORT cpu_invlpg
    invlpg [rdi]
    ret

; cpu_load_gdt(gdtr*): load a new GDT and reload every segment register from it.
EXPORT cpu_load_gdt
    lgdt [rdi]
    push 0x08
    lea rax, [rel .reload]
    push rax
    retfq
.reload:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    ret
EXPORT cpu_load_tss
    ltr di
    ret
EXPORT cpu_load_idt
    lidt [rdi]
    ret

EXPORT cpu_enable_interrupts
    sti
    ret
EXPORT cpu_disable_interrupts
    cli
    ret
; The flags as they were, then interrupts off: ReadRflags and DisableInterrupts in one call.
EXPORT cpu_save_flags_disable_interrupts
    pushfq
    pop rax
    cli
    ret
; Atomically enable interrupts and halt, so a wake-up interrupt cannot slip in between.
EXPORT cpu_wait_for_interrupt
    sti
    hlt
    ret
EXPORT cpu_halt_forever
    cli
.h: hlt
    jmp .h
EXPORT cpu_pause
    pause
    ret
EXPORT cpu_read_rflags
    pushfq
    pop rax
    ret
EXPORT cpu_rdtsc
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret
EXPORT cpu_rdmsr
    mov ecx, edi
    rdmsr
    shl rdx, 32
    or rax, rdx
    ret
EXPORT cpu_wrmsr
    mov ecx, edi
    mov eax, esi
    mov rdx, rsi
    shr rdx, 32
    wrmsr
    ret
; The caller's frame pointer: the start of a frame-pointer stack walk.
EXPORT cpu_read_rbp
    mov rax, rbp
    ret
EXPORT cpu_read_rsp
    lea rax, [rsp + 8]
    ret
EXPORT cpu_breakpoint
    int3
    ret
EXPORT cpu_invalid_opcode
    ud2
    ret
EXPORT cpu_cpuid
    ; cpu_cpuid(leaf, subleaf, uint* out4)
    push rbx
    mov eax, edi
    mov ecx, esi
    mov r8, rdx
    cpuid
    mov [r8], eax
    mov [r8 + 4], ebx
    mov [r8 + 8], ecx
    mov [r8 + 12], edx
    pop rbx
    ret

; cpu_copy(dst /rdi/, src /rsi/, bytes /rdx/): forward copy, non-overlapping.
EXPORT cpu_copy
    mov rcx, rdx
    shr rcx, 3
    rep movsq
    mov rcx, rdx
    and rcx, 7
    rep movsb
    ret
; cpu_zero(dst /rdi/, bytes /rsi/)
EXPORT cpu_zero
    mov rdx, rsi
    mov rcx, rsi
    shr rcx, 3
    xor eax, eax
    rep stosq
    mov rcx, rdx
    and rcx, 7
    rep stosb
    ret

; Multiboot1 entry point: 32-bit protected mode -> long mode -> kmain (C#).
; QEMU's -kernel and GRUB both load us at 1 MiB with EAX = multiboot magic, EBX = info.

MB_MAGIC    equ 0x1BADB002
MB_FLAGS    equ 0x00000003          ; bit 0: page-align modules, bit 1: give us the memory map
EFER        equ 0xC0000080

section .multiboot progbits alloc noexec nowrite align=4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

section .boot.text progbits alloc exec nowrite align=16
bits 32
global _start
; The C# entry: kmain in the production image; the test image (Kernel/KernelTests) passes
; -dKERNEL_MAIN=ktest_main, whose entry registers the test module and then calls kmain.
%ifndef KERNEL_MAIN
%define KERNEL_MAIN kmain
%endif
extern KERNEL_MAIN

_start:
    cli
    cld
    mov esp, boot_stack_top
    mov [mb_magic], eax
    mov [mb_info], ebx

    ; Zero the boot page tables (PML4, PDPT, 4 page directories).
    mov edi, boot_pml4
    mov ecx, (6 * 4096) / 4
    xor eax, eax
    rep stosd

    ; Identity-map the first 4 GiB with 2 MiB pages. The kernel replaces these tables
    ; with its own (page 0 unmapped, guard pages) as soon as it runs.
    mov eax, boot_pdpt
    or eax, 3
    mov [boot_pml4], eax
    mov eax, boot_pd
    or eax, 3
    xor ecx, ecx
.pdpt:
    mov [boot_pdpt + ecx * 8], eax
    add eax, 4096
    inc ecx
    cmp ecx, 4
    jne .pdpt
    mov edi, boot_pd
    mov eax, 0x83                   ; present | writable | 2 MiB page
    mov ecx, 2048
.pd:
    mov [edi], eax
    add eax, 0x200000
    add edi, 8
    loop .pd

    mov eax, boot_pml4
    mov cr3, eax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)   ; PAE, OSFXSR, OSXMMEXCPT (SSE for ilc's code)
    mov cr4, eax
    mov ecx, EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)    ; long mode enable, no-execute enable
    wrmsr
    mov eax, cr0
    and eax, ~(1 << 2)              ; EM off: no x87 emulation, so SSE works
    or eax, (1 << 31) | (1 << 16) | (1 << 1)   ; paging, write-protect, monitor coprocessor
    mov cr0, eax
    lgdt [boot_gdt_ptr]
    jmp 0x08:long_mode

bits 64
long_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    xor ebp, ebp                    ; ends the frame-pointer chain for stack traces
    mov edi, [mb_magic]
    mov esi, [mb_info]
    call KERNEL_MAIN
.halt:
    cli
    hlt
    jmp .halt

section .boot.data progbits alloc noexec write align=16
boot_gdt:
    dq 0
    dq 0x00AF9A000000FFFF           ; 0x08: 64-bit code, ring 0
    dq 0x00CF92000000FFFF           ; 0x10: data, ring 0
boot_gdt_end:
boot_gdt_ptr:
    dw boot_gdt_end - boot_gdt - 1
    dd boot_gdt
mb_magic: dd 0
mb_info:  dd 0

section .bss nobits alloc noexec write align=4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4 * 4096
; The kernel unmaps the page below the boot stack, so an overflow faults instead of
; silently corrupting whatever lies below.
global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:  resb 4096
boot_stack_bottom: resb 64 * 1024
boot_stack_top:

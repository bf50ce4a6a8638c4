; Addresses only the linker knows, gathered into one table that C# reads (see KernelLayout.cs).
bits 64
extern __kernel_start, __kernel_end, __text_start, __text_end, __modules_a, __modules_z
extern __eh_frame_start, __eh_frame_end, boot_stack_guard, boot_stack_bottom, boot_stack_top
extern ksyms_count, ksyms_table, isr_table

section .rodata
align 8
kernel_layout:
    dq __kernel_start, __kernel_end
    dq __text_start, __text_end
    dq __modules_a, __modules_z
    dq __eh_frame_start, __eh_frame_end
    dq boot_stack_guard, boot_stack_bottom, boot_stack_top
    dq ksyms_count, ksyms_table
    dq isr_table

section .text
global kernel_layout_table
kernel_layout_table:
    lea rax, [rel kernel_layout]
    ret

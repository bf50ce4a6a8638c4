; Kernel entry from SIP code. Kernel code never runs on a SIP thread's stack: a SIP may call the
; kernel, or be interrupted, with its stack pointer a few bytes above its guard page.
;
; cpu_entry_state describes the running thread (the scheduler loads it at every switch, see
; KernelEntry.cs): a pointer to its block (KernelEntry.ThreadEntry, in its Thread: its ABI slot and
; the bounds of its kernel stack; one store per switch), and the bounds of the interrupt entry
; stack (TSS IST1). The ABI slot is the 16-byte-aligned address, on the thread's
; kernel stack, just below the frames of the kernel code that entered the SIP (sip_call). While
; the thread is inside the kernel, [slot] holds the SIP's stack pointer: the ABI stubs put it there,
; and an interrupt of SIP code builds its frame with the top at slot + 16, so the frame's saved
; RSP lands in the same word. 0 when the thread is not running SIP code.
bits 64
default rel
%include "abi_entry.inc"
section .text
extern abi_yield, abi_channel_send, abi_channel_receive, abi_channel_call, abi_reply_and_receive

%define THREAD_KSTACK_LOW 8                 ; the running thread's block (after its ABI slot): its kernel stack
%define THREAD_KSTACK_HIGH 16
%define ENTRY_IST_LOW     8
%define ENTRY_IST_HIGH    16
%define ABI_STUBS         64                ; entries the stub table can hold (KernelEntry.AbiStubCapacity)

global cpu_entry_state_address, abi_stub_handlers_address, abi_stub_addresses_address, sip_call
global abi_own_stubs_address

cpu_entry_state_address:
    lea rax, [cpu_entry_state]
    ret
abi_stub_handlers_address:
    lea rax, [abi_handlers]
    ret
abi_stub_addresses_address:
    lea rax, [abi_stub_addresses]
    ret
abi_own_stubs_address:
    lea rax, [abi_own_stubs]
    ret

; One stub per ABI entry (the table SIPs receive points here). The SIP's `call` pushed the
; return address on the SIP stack; the stub writes nothing else there. It records the SIP's
; stack pointer in the slot, runs the kernel handler on the kernel stack just below (16-byte
; aligned for the call, as System V wants), and returns on the SIP stack. Arguments stay in
; rdi, rsi, rdx, rcx, r8, r9 (no entry takes more); r11 is caller-saved scratch.
; A handler that blocks switches threads on the kernel stack; one that ends the thread never returns.
align 32
%assign i 0
%rep ABI_STUBS
abi_stub_ %+ i:
    ENTER_KERNEL_STACK
    call [abi_handlers + 8 * i]
    RETURN_TO_SIP
    align 32
%assign i i + 1
%endrep

; ulong sip_call(ulong entry /rdi/, ulong arg0 /rsi/, ulong arg1 /rdx/, ulong sipStackTop /rcx/,
;                ulong* threadAbiSlot /r8/): runs entry(arg0, arg1) on the SIP stack and returns
; its result. The slot goes just below this frame, so the caller's frames stay intact above it.
sip_call:
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    push r13
    push r14
    push r15
    push r8                             ; the thread's slot field, cleared on the way back
    sub rsp, 16                         ; the slot (16-byte aligned here)
    mov [r8], rsp                       ; the running thread's: the entry state points at it
    mov [rsp], rcx
    mov rax, rdi
    mov rdi, rsi
    mov rsi, rdx
    mov rsp, rcx                        ; the SIP stack; from here on SIP code
    xor ebp, ebp                        ; the SIP's frame-pointer chain ends here
    call rax
    mov rsp, [cpu_entry_state + ENTRY_RUNNING]
    mov rsp, [rsp + THREAD_ABI_SLOT]
    add rsp, 16
    pop r8
    mov qword [r8], 0                   ; the thread runs no SIP code any more
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

section .rodata
align 8
abi_stub_addresses:
%assign i 0
%rep ABI_STUBS
    dq abi_stub_ %+ i
%assign i i + 1
%endrep

; The ABI entries that are their own stub (ENTER_KERNEL_STACK first, RETURN_TO_SIP last): the
; table points at them directly (KernelEntry.WrapAbiEntries), a call and a return fewer per
; entry on the hot paths. Zero-terminated.
abi_own_stubs:
    dq abi_yield, abi_channel_send, abi_channel_receive, abi_channel_call, abi_reply_and_receive, 0

section .data
align 64
global cpu_entry_state
cpu_entry_state:
    dq 0, 0, 0, 0, 0, 0, 0              ; running, IST low, IST high, the boot block (4 words)
align 8
abi_handlers:
    times ABI_STUBS dq 0

; The native half of exception dispatch (Kernel/Corlib/System/Runtime/ExceptionHandling).
; These stubs capture the register context of a throw site and call handler funclets with the
; register values of the frame that owns them; everything else is C#.
;
; RegContext layout (ExceptionHandling/RegContext.cs): Rip, Rsp, Rbp, Rbx, R12, R13, R14, R15.
bits 64
default rel
section .text
extern eh_dispatch, eh_dispatch_hw
global RhpThrowEx, RhpRethrow, eh_throw_hw, eh_call_funclet, eh_funclet_return, eh_resume
global eh_funclet_return_address, eh_throw_hw_address, eh_frame_hdr_bounds
extern __eh_frame_hdr_start, __eh_frame_hdr_end
extern RhpAssignRef, rt_write_barriers_end

%define CTX_SIZE 64

; STORE_CONTEXT rip, rsp: writes a RegContext at [rsp] from the given rip and rsp and the
; current callee-saved registers.
%macro STORE_CONTEXT 2
    mov [rsp + 0], %1
    mov [rsp + 8], %2
    mov [rsp + 16], rbp
    mov [rsp + 24], rbx
    mov [rsp + 32], r12
    mov [rsp + 40], r13
    mov [rsp + 48], r14
    mov [rsp + 56], r15
%endmacro

; LOAD_CALLEE_SAVED ctx: the callee-saved registers from the RegContext at ctx.
%macro LOAD_CALLEE_SAVED 1
    mov rbx, [%1 + 24]
    mov rbp, [%1 + 16]
    mov r12, [%1 + 32]
    mov r13, [%1 + 40]
    mov r14, [%1 + 48]
    mov r15, [%1 + 56]
%endmacro

; Builds a RegContext for the caller of this stub (its return address and stack pointer) at [rsp].
%macro SAVE_CALLER_CONTEXT 0
    mov rcx, [rsp]                  ; throw site (the return address)
    lea rax, [rsp + 8]              ; the thrower's stack pointer after the call returns
    sub rsp, CTX_SIZE + 8           ; keeps rsp 16-byte aligned for the call below
    STORE_CONTEXT rcx, rax
%endmacro

; RhpThrowEx(object exception /rdi/): every C# `throw` (ilc emits `call RhpThrowEx; int3`).
RhpThrowEx:
    SAVE_CALLER_CONTEXT
    mov rsi, rsp                    ; RegContext*
    xor edx, edx                    ; not a rethrow
    call eh_dispatch                ; never returns
    int3

; RhpRethrow(): `throw;` inside a catch. The dispatcher finds the exception being handled.
RhpRethrow:
    SAVE_CALLER_CONTEXT
    xor edi, edi
    mov rsi, rsp
    mov edx, 1                      ; rethrow
    call eh_dispatch
    int3

; Entered, instead of returning from a CPU exception, when the kernel turns a fault in managed
; code into a managed exception. Every register still holds its value at the fault except
; rdi = vector, rsi = faulting rip, rdx = fault address (CR2), rcx = error code.
eh_throw_hw:
    mov rax, rsp                    ; the faulting stack pointer
    ; A fault inside a write barrier or the interface-dispatch null check (RhpAssignRef ...
    ; rt_write_barriers_end: leaf helpers with no
    ; unwind information) belongs to the managed code that called it: continue as if the call
    ; instruction faulted (rip one byte into it, rsp as before the call), so that code's handlers
    ; catch the NullReferenceException.
    lea r10, [rel RhpAssignRef]
    cmp rsi, r10
    jb .frame
    lea r10, [rel rt_write_barriers_end]
    cmp rsi, r10
    jae .frame
    mov rsi, [rax]
    sub rsi, 1
    add rax, 8
.frame:
    and rsp, -16
    sub rsp, CTX_SIZE
    STORE_CONTEXT rsi, rax
    mov r8, rsp                     ; RegContext*
    xor ebp, ebp                    ; the dispatcher's frames are not the faulting frame's
    call eh_dispatch_hw             ; (vector, rip, cr2, error code, context): never returns
    int3

; ulong eh_call_funclet(void* funclet /rdi/, RegContext* frame /rsi/, object exception /rdx/,
;                       FuncletFrame* record /rcx/)
; Calls a catch, filter, finally or fault funclet with the callee-saved registers of the
; frame that owns it (funclets address their parent's locals through rbp). Returns what the
; funclet returns: a catch's resume address, a filter's verdict. The record's address sits at
; [rsp] when the funclet is called, so an unwinder that meets eh_funclet_return as a return
; address can find the parent frame and skip the dispatcher's own frames.
eh_call_funclet:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    sub rsp, 8                      ; 16-byte alignment at the call
    mov [rsp], rcx                  ; the FuncletFrame record
    mov rax, rdi
    LOAD_CALLEE_SAVED rsi
    mov rdi, rdx                    ; the exception object (first argument)
    call rax
eh_funclet_return:
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; eh_resume(RegContext* frame /rdi/, ulong resumeIp /rsi/): after a catch funclet returned,
; continue in its parent frame. Everything below the frame's stack pointer is discarded.
; rax = 0 so that resuming at eh_funclet_return makes a filter that threw answer false.
eh_resume:
    xor eax, eax
    LOAD_CALLEE_SAVED rdi
    mov rsp, [rdi + 8]
    jmp rsi

eh_throw_hw_address:
    lea rax, [eh_throw_hw]
    ret

eh_funclet_return_address:
    lea rax, [eh_funclet_return]
    ret

; eh_frame_hdr_bounds(ulong* out2): where the linker put .eh_frame_hdr.
eh_frame_hdr_bounds:
    lea rax, [__eh_frame_hdr_start]
    mov [rdi], rax
    lea rax, [__eh_frame_hdr_end]
    mov [rdi + 8], rax
    ret

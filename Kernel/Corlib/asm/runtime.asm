; Runtime helpers ilc's generated code calls with non-standard register conventions, which
; C# cannot implement. There is no generational GC, so write barriers are plain stores.
bits 64
section .text

; RhpAssignRef(ref object dst /rdi/, object value /rsi/)
global RhpAssignRef, RhpCheckedAssignRef
RhpAssignRef:
RhpCheckedAssignRef:
    mov [rdi], rsi
    ret

; RhpByRefAssignRef: copy [rsi] to [rdi], then advance both by 8 (used by struct copies).
global RhpByRefAssignRef
RhpByRefAssignRef:
    mov rcx, [rsi]
    mov [rdi], rcx
    add rdi, 8
    add rsi, 8
    ret
; The write barriers end here. They push nothing, so a fault in one (a store through a null
; reference) is the caller's: eh_throw_hw moves it to the call (see there).
; RhpInitialDynamicInterfaceDispatch: every interface call ilc could not resolve at build time
; (`lea r11, [cell]; call [r11]`, `this` in rdi). Its first instruction loads the object's
; MethodTable: with a null `this` it faults here, in the leaf-helper range, and eh_throw_hw
; makes that a NullReferenceException at the call site.
global RhpInitialDynamicInterfaceDispatch
RhpInitialDynamicInterfaceDispatch:
    mov rax, [rdi]
    jmp interface_dispatch_resolve

global rt_write_barriers_end
rt_write_barriers_end:

; P/Invoke transition frames: the kernel runs everything cooperatively in one mode, so
; there is no transition to record.
global RhpPInvoke, RhpPInvokeReturn, RhpReversePInvoke, RhpReversePInvokeReturn, RhpGcPoll
RhpPInvoke:
RhpPInvokeReturn:
RhpReversePInvoke:
RhpReversePInvokeReturn:
RhpGcPoll:
    ret

; double fmod(double x /xmm0/, double y /xmm1/) and float fmodf(float, float): the remainder of
; x / y with the sign of x (C's fmod), which ilc calls for `rem` on floating-point values. By x87
; fprem, repeated until the reduction is complete; y = 0 or an infinite x gives NaN (the x87
; exceptions are masked in every thread's control word). The x87 stack is left empty.
global fmod, fmodf
fmod:
    sub rsp, 16
    movsd [rsp], xmm1
    fld qword [rsp]                 ; st1 = y
    movsd [rsp], xmm0
    fld qword [rsp]                 ; st0 = x
.reduce:
    fprem
    fnstsw ax
    test ah, 4                      ; C2: the reduction is not complete yet
    jnz .reduce
    fstp qword [rsp]
    fstp st0
    movsd xmm0, [rsp]
    add rsp, 16
    ret

fmodf:
    sub rsp, 16
    movss [rsp], xmm1
    fld dword [rsp]
    movss [rsp], xmm0
    fld dword [rsp]
.reduce:
    fprem
    fnstsw ax
    test ah, 4
    jnz .reduce
    fstp dword [rsp]
    fstp st0
    movss xmm0, [rsp]
    add rsp, 16
    ret

section .data
; Stack-protector cookie read by methods that use stackalloc.
global __security_cookie
align 8
__security_cookie: dq 0x2f6b3a9c5d1e4b87

section .text
; corlib_memmove(dst /rdi/, src /rsi/, bytes /rdx/): overlap-safe copy with string instructions.
global corlib_memmove
corlib_memmove:
    mov rcx, rdx
    cmp rdi, rsi
    jbe .forward
    lea rax, [rsi + rdx]
    cmp rdi, rax
    jae .forward
    ; The destination overlaps the source from above: copy backwards.
    lea rsi, [rsi + rdx - 1]
    lea rdi, [rdi + rdx - 1]
    std
    rep movsb
    cld
    ret
.forward:
    shr rcx, 3
    rep movsq
    mov rcx, rdx
    and rcx, 7
    rep movsb
    ret

; corlib_zero(dst /rdi/, bytes /rsi/)
global corlib_zero
corlib_zero:
    mov rdx, rsi
    mov rcx, rsi
    shr rcx, 3
    xor eax, eax
    rep stosq
    mov rcx, rdx
    and rcx, 7
    rep stosb
    ret

; The rest of the interface call: the argument registers (six integer, eight vector) are kept
; across Resolve(MethodTable*, cell) and the call continues in the method it finds. A cell it
; cannot resolve ends the program (rt_interface_dispatch_failed: the SIP fails, the kernel panics).
extern rt_resolve_interface_call, rt_interface_dispatch_failed
interface_dispatch_resolve:
    push rdi
    push rsi
    push rdx
    push rcx
    push r8
    push r9
    sub rsp, 136                    ; 8 xmm registers, and rsp 16-byte aligned for the call
    movdqu [rsp], xmm0
    movdqu [rsp + 16], xmm1
    movdqu [rsp + 32], xmm2
    movdqu [rsp + 48], xmm3
    movdqu [rsp + 64], xmm4
    movdqu [rsp + 80], xmm5
    movdqu [rsp + 96], xmm6
    movdqu [rsp + 112], xmm7
    mov rdi, rax                    ; the object's MethodTable
    mov rsi, r11                    ; the cell
    call rt_resolve_interface_call
    test rax, rax
    jz .failed
    movdqu xmm0, [rsp]
    movdqu xmm1, [rsp + 16]
    movdqu xmm2, [rsp + 32]
    movdqu xmm3, [rsp + 48]
    movdqu xmm4, [rsp + 64]
    movdqu xmm5, [rsp + 80]
    movdqu xmm6, [rsp + 96]
    movdqu xmm7, [rsp + 112]
    add rsp, 136
    pop r9
    pop r8
    pop rcx
    pop rdx
    pop rsi
    pop rdi
    jmp rax
.failed:
    call rt_interface_dispatch_failed
    int3

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

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

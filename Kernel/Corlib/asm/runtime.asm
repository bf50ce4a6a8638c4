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

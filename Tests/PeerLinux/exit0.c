/*
 * The tiny static program the Linux peer starts for process create + exit: no C library, its
 * entry point only makes the exit system call (so the row measures the kernel's part alone).
 * Built with gcc -static -O2 -nostdlib.
 */
void _start(void)
{
    __asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
    for (;;) { }
}

using System.Runtime.CompilerServices;

// The trusted parts of the core library (Unsafe, runtime imports and exports, module start-up,
// MethodTable) are internal: only the kernel and the trusted SIP runtime may use them. SIP code
// compiles against the public surface, which is safe; the verifier re-checks the IL.
[assembly: InternalsVisibleTo("Singularity.Kernel")]
[assembly: InternalsVisibleTo("Singularity.Kernel.Tests")]   // the kernel's test module (Kernel/KernelTests), test image only
[assembly: InternalsVisibleTo("Singularity.Runtime")]

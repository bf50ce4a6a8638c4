using System.Runtime.CompilerServices;

// The test module (Kernel/KernelTests) is linked with the kernel into the test image only; it
// drives the kernel's internals (self-tests, fault injection). The production image holds none of it.
[assembly: InternalsVisibleTo("Singularity.Kernel.Tests")]

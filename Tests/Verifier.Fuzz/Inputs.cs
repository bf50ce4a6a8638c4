using Singularity.Verifier.Fuzz.Grammar;

namespace Singularity.Verifier.Fuzz;

/// <summary>One fuzz input: the bytes the verifier gets and how they were made.</summary>
public sealed class FuzzInput
{
    public long Index { get; init; }
    public string Mutator { get; init; }
    public string Seed { get; init; }
    public byte[] Bytes { get; init; }
    public string Description { get; init; }
    /// <summary>The generated program (grammar inputs only).</summary>
    public GProgram Program { get; init; }
}

/// <summary>
/// Makes input number I of a run from (seed, I) alone, so a worker process, the driver and a
/// later reproduction all get the same bytes. The mix: bit flips 15%, byte edits 10%, metadata
/// table edits 25%, IL body edits 25%, grammar programs 10% valid and 15% one-step-wrong.
/// </summary>
public sealed class Inputs
{
    public static readonly string[] Mutators = { "bitflip", "bytes", "metadata", "il", "grammar", "grammar-wrong" };
    private static readonly int[] Weights = { 15, 10, 25, 25, 10, 15 };

    private readonly List<Seed> _seeds;
    private readonly int _seed;

    public Inputs(List<Seed> seeds, int seed) { _seeds = seeds; _seed = seed; }

    /// <summary>The generator for input <paramref name="index"/>: a fixed mix of seed and index (HashCode is randomized per process, so it is not used).</summary>
    public static Random RandomFor(int seed, long index)
    {
        ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)index + 0x5eedUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return new Random((int)(z & 0x7fffffff));
    }

    public FuzzInput Create(long index)
    {
        var rng = RandomFor(_seed, index);
        int pick = rng.Next(Weights.Sum());
        int m = 0;
        while ((pick -= Weights[m]) >= 0) m++;
        string mutator = Mutators[m];
        if (mutator.StartsWith("grammar", StringComparison.Ordinal)) return Generated(index, rng, mutator == "grammar-wrong");
        var seed = _seeds[rng.Next(_seeds.Count)];
        var bytes = (byte[])seed.Bytes.Clone();
        string what = mutator switch
        {
            "bitflip" => ByteMutators.FlipBits(rng, seed, bytes),
            "bytes" => ByteMutators.EditBytes(rng, seed, bytes),
            "metadata" => MetadataMutator.Mutate(rng, seed, bytes),
            _ => IlMutator.Mutate(rng, seed, bytes),
        };
        return new FuzzInput { Index = index, Mutator = mutator, Seed = seed.Name, Bytes = bytes, Description = what };
    }

    private static FuzzInput Generated(long index, Random rng, bool wrong)
    {
        // A valid program, and for the wrong kind one edit of it; a few tries if an edit cannot be written.
        for (int attempt = 0; ; attempt++)
        {
            var program = Generator.Valid(rng);
            if (wrong)
            {
                var variant = Variants.Make(rng, program);
                if (variant == null && attempt < 5) continue;
                program = variant ?? program;
            }
            try
            {
                var bytes = Emitter.Single(program);
                return new FuzzInput { Index = index, Mutator = wrong ? "grammar-wrong" : "grammar", Seed = "FuzzGen", Bytes = bytes, Description = program.Variant ?? "valid", Program = program };
            }
            catch (Exception) when (attempt < 5 && wrong)
            {
                // Cecil cannot write some edits (an operand of the wrong kind for the opcode): try another.
            }
        }
    }
}

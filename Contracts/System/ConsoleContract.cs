using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// Console output: the client sends whole lines of text (ASCII in an exchange buffer) and
    /// waits for Ack, so a client cannot outrun the console.
    /// </summary>
    [Contract(Protocol = """
        state Ready: Write? -> Ack! -> Ready;
        """)]
    public partial interface ConsoleContract
    {
        [In] void Write(ExBuffer text);
        [Out] void Ack();
    }
}

using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// Console output (the console service, /service/console; client: Libraries/Console): the
    /// client sends text (ASCII in an exchange buffer), which the service writes whole, and waits
    /// for Ack, so a client cannot outrun the console. Either side may close at any time (a service that dies mid-write is not the client's fault).
    /// </summary>
    [Contract(Protocol = """
        closable state Ready: Write? -> Writing;
        closable state Writing: Ack! -> Ready;
        """)]
    public partial interface ConsoleContract
    {
        [In] void Write(ExBuffer text);
        [Out] void Ack();
    }
}

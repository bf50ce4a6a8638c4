using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// The name service, typed. A service registers a name (ASCII in a buffer) with the
    /// importing end of its listener; a client binds by sending the name and the exporting end
    /// of a fresh channel, which the name service forwards to the service's listener. Until
    /// contracts can share a base protocol, services reachable this way speak EchoContract;
    /// other services still use the raw name service (Singularity.Ipc.Names).
    /// </summary>
    [Contract(Protocol = """
        state Ready: one {
            Register? -> (Ack! | NameTaken!) -> Ready;
            Bind? -> (Ack! | NotFound!) -> Ready;
        }
        """)]
    public partial interface NameServiceContract
    {
        [In] void Register(ExBuffer name, EchoListenerContract.Imp listener);
        [In] void Bind(ExBuffer name, EchoContract.Exp client);
        [Out] void Ack();
        [Out] void NameTaken();
        [Out] void NotFound();
    }
}

using Singularity.Channels;

namespace Singularity.Tests.Generator.Contracts;

/// <summary>A strict request/response contract for the hosted protocol-violation tests.</summary>
[Contract(Protocol = """
    state Idle: Request? -> Working;
    state Working: one { Progress! -> Working; Result! -> Idle; }
    """)]
public partial interface JobContract
{
    [In] void Request(int id);
    [Out] void Progress(int percent);
    [Out] void Result(int id, long value);
}

/// <summary>One-way stream for back-pressure tests.</summary>
[Contract(Protocol = "state Open: Item? -> Open;")]
public partial interface StreamContract
{
    [In] void Item(int n);
}

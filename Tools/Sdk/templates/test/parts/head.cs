using System;
using Singularity;
using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Hosted;
using Singularity.Testing;
using Xunit;

/// <summary>
/// Hosted tests (docs/sdk.md): the code of the projects this one names (HostedSource in the
/// project file) runs on .NET against the hosted runtime, in milliseconds. Channels and names
/// are in memory and shared by the whole test process, so each test uses names of its own.
/// </summary>
public class __NAME__
{
    private const int Patience = 10_000;

    private static string UniqueName(string what) => "/test/" + what + "/" + Guid.NewGuid().ToString("N");


    [Fact]
    public void __T__MainGreetsWithItsNameIdAndArguments()
    {
        // Main runs as a hosted SIP; with no console service it prints to its kernel log.
        HostedSip sip = HostedSip.Run("__t__", __T__Program.Main, "one two");
        Assert.Equal(0, sip.ExitCode);
        Assert.Contains("__t__: hello from SIP __t__#" + sip.Id + " (arguments: 'one two')", sip.Output);
        Assert.Equal("__t__: hello from SIP x#3 (arguments: '')", __T__Program.Greeting("x", 3, ""));
    }

    [Fact]
    public void __T__BootsInQemu()
    {
        // The same SIP, its own image on the SDK's kernel under QEMU (seconds, not milliseconds).
        var boot = BootAssert.Boot(new BootOptions
        {
            Production = true,
            CommandLine = "shutdown",
            Modules = new[] { QemuRunner.ProjectImage("__T__") + " one" },
            Timeout = TimeSpan.FromSeconds(120),
        });
        boot.Exited(QemuExit.Success)
            .Contains("__t__: hello from SIP __t__#1 (arguments: 'one')")
            .Contains("sip __t__#1 exited with code 0");
    }

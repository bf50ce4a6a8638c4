
    [Fact]
    public void __T__MainGreetsWithItsNameIdAndArguments()
    {
        // Main runs as a hosted SIP; with no console service it prints to its kernel log.
        HostedSip sip = HostedSip.Run("__t__", __T__Program.Main, "one two");
        Assert.Equal(0, sip.ExitCode);
        Assert.Contains("__t__: hello from SIP __t__#" + sip.Id + " (arguments: 'one two')", sip.Output);
        Assert.Equal("__t__: hello from SIP x#3 (arguments: '')", __T__Program.Greeting("x", 3, ""));
    }

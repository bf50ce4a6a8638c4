// The smallest possible SIP: it exits at once. The kernel times its create + start + exit.
public static class Program
{
    public static int Main() => 0;
}

using Singularity;
using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Threading;

// A subscriber of the keyboard driver (SIPs/Drivers/Keyboard) for the keyboard tests
// (Tests/Kernel.Tests/KeyboardTests.cs): binds /service/keyboard (again after the driver
// restarts), logs each key and, at Enter, the line typed.
public static class Program
{
    public static int Main()
    {
        string line = "";
        while (true)
        {
            KeyboardContract.Bind(KeyCodes.ServiceName, out KeyboardContract.Imp keys);
            if (keys == null)
            {
                Thread.Sleep(50);
                continue;
            }
            Debug.WriteLine("keyreader: subscribed");
            try
            {
                while (true)
                {
                    if (keys.RecvKey(out int key, out int modifiers) != ReceiveResult.Message) break;
                    Debug.WriteLine("keyreader: key " + key.ToString() + " modifiers " + modifiers.ToString());
                    if (key == KeyCodes.Enter)
                    {
                        Debug.WriteLine("keyreader: line '" + line + "'");
                        line = "";
                    }
                    else if (key >= 32 && key < 127) line = line + ((char)key).ToString();
                }
            }
            finally { keys.Close(); }
            Debug.WriteLine("keyreader: the keyboard driver went away");
        }
    }
}

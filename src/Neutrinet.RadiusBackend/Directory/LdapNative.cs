using System.Runtime.InteropServices;

namespace Neutrinet.RadiusBackend.Directory;

/// <summary>
/// SDS.P passes an 8-byte timeval to libldap, which reads 16 on linux-x64, so its own timeouts are not honoured;
/// Bind() has none at all. libldap's global network/operation timeouts (set here with a correct timeval) at least
/// bound connect and bind. Operations are bounded by the pool's watchdog.
/// </summary>
internal static partial class LdapNative
{
    const int LDAP_OPT_TIMEOUT = 0x5002;
    const int LDAP_OPT_NETWORK_TIMEOUT = 0x5005;

    [StructLayout(LayoutKind.Sequential)]
    struct TimeVal { public long Seconds; public long Microseconds; }

    delegate int SetOption(IntPtr ld, int option, ref TimeVal value);

    public static bool TrySetGlobalTimeouts(TimeSpan timeout)
    {
        if (!OperatingSystem.IsLinux()) return false;
        foreach (var name in new[] { "libldap.so.2", "libldap-2.5.so.0", "libldap-2.6.so.0", "libldap_r-2.4.so.2" })
        {
            if (!NativeLibrary.TryLoad(name, out var lib)) continue;
            if (!NativeLibrary.TryGetExport(lib, "ldap_set_option", out var fn)) continue;
            var setOption = Marshal.GetDelegateForFunctionPointer<SetOption>(fn);
            var tv = new TimeVal
            {
                Seconds = (long)timeout.TotalSeconds,
                Microseconds = timeout.Milliseconds * 1000L + timeout.Microseconds,
            };
            return setOption(IntPtr.Zero, LDAP_OPT_NETWORK_TIMEOUT, ref tv) == 0
                && setOption(IntPtr.Zero, LDAP_OPT_TIMEOUT, ref tv) == 0;
        }
        return false;
    }
}

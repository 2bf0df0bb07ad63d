using System.DirectoryServices.Protocols;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Neutrinet.RadiusBackend.Directory;

/// <summary>
/// Two things SDS.P does not do for us on Linux, done directly in libldap/liblber.
/// <list type="bullet">
/// <item>SDS.P passes an 8-byte timeval to libldap, which reads 16 on linux-x64, so its own timeouts are not honoured;
/// Bind() has none at all. libldap's global network/operation timeouts (set here with a correct timeval) at least
/// bound connect and bind. Operations are bounded by the pool's watchdog.</item>
/// <item>libldap's plain TCP layer does not buffer: every LDAP message of an answer costs a poll() and two read()s
/// (its header, then its body). A batch of logins answered with ten member entries and ten tokens was ~70 system calls
/// on the LDAP thread. liblber's read-ahead layer (the one slapd stacks on its own connections) reads what has arrived,
/// up to 16 KiB, in one call, and libldap then parses the buffered messages without polling.</item>
/// </list>
/// Every step is optional: if a library, a symbol or SDS.P's handle field is not found, the connection works as before.
/// </summary>
internal static class LdapNative
{
    const int LDAP_OPT_TIMEOUT = 0x5002;
    const int LDAP_OPT_NETWORK_TIMEOUT = 0x5005;
    const int LDAP_OPT_SOCKBUF = 0x5008;
    const int LBER_SB_OPT_HAS_IO = 3;
    const int LBER_SBIOD_LEVEL_PROVIDER = 10;

    [StructLayout(LayoutKind.Sequential)]
    struct TimeVal { public long Seconds; public long Microseconds; }

    delegate int SetTimeValOption(IntPtr ld, int option, ref TimeVal value);
    delegate int GetPointerOption(IntPtr ld, int option, out IntPtr value);
    delegate int SockbufControl(IntPtr sockbuf, int option, IntPtr argument);
    delegate int SockbufAddLayer(IntPtr sockbuf, IntPtr io, int level, IntPtr argument);

    // SDS.P's own search order, so these calls reach the libldap that made its handles. liblber's functions are looked
    // up through that same library (dlsym searches its dependencies), so they always match it.
    static readonly string[] LdapLibraries = ["libldap.so.2", "libldap-2.6.so.0", "libldap-2.5.so.0", "libldap-2.4.so.2", "libldap_r-2.4.so.2"];
    static readonly Lazy<IntPtr> Libldap = new(() =>
    {
        foreach (var library in LdapLibraries)
            if (NativeLibrary.TryLoad(library, out var handle)) return handle;
        return IntPtr.Zero;
    });

    public static bool TrySetGlobalTimeouts(TimeSpan timeout)
    {
        if (!OperatingSystem.IsLinux() || Export("ldap_set_option") is not { } fn) return false;
        var setOption = Marshal.GetDelegateForFunctionPointer<SetTimeValOption>(fn);
        var tv = new TimeVal
        {
            Seconds = (long)timeout.TotalSeconds,
            Microseconds = timeout.Milliseconds * 1000L + timeout.Microseconds,
        };
        return setOption(IntPtr.Zero, LDAP_OPT_NETWORK_TIMEOUT, ref tv) == 0
            && setOption(IntPtr.Zero, LDAP_OPT_TIMEOUT, ref tv) == 0;
    }

    /// <summary>Stacks liblber's read-ahead layer on a bound connection's socket buffer; true when it is there.</summary>
    public static bool TryEnableReadAhead(LdapConnection connection) =>
        WithSockbuf(connection, static (api, sockbuf) =>
            HasLayer(api, sockbuf) || api.AddLayer(sockbuf, api.ReadAheadLayer, LBER_SBIOD_LEVEL_PROVIDER, IntPtr.Zero) == 0);

    /// <summary>Whether the connection reads ahead (what the tests check).</summary>
    public static bool HasReadAhead(LdapConnection connection) => WithSockbuf(connection, HasLayer);

    static bool HasLayer(Api api, IntPtr sockbuf) => api.Control(sockbuf, LBER_SB_OPT_HAS_IO, api.ReadAheadLayer) == 1;

    static bool WithSockbuf(LdapConnection connection, Func<Api, IntPtr, bool> action)
    {
        if (ReadAheadApi.Value is not { } api || HandleField?.GetValue(connection) is not SafeHandle handle || handle.IsInvalid)
            return false;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return api.GetOption(handle.DangerousGetHandle(), LDAP_OPT_SOCKBUF, out var sockbuf) == 0 && sockbuf != IntPtr.Zero
                && action(api, sockbuf);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    // SDS.P keeps libldap's LDAP* in a private SafeHandle field; without it (another SDS.P version) nothing changes.
    static readonly FieldInfo? HandleField = typeof(LdapConnection).GetField("_ldapHandle", BindingFlags.Instance | BindingFlags.NonPublic);

    sealed record Api(GetPointerOption GetOption, SockbufControl Control, SockbufAddLayer AddLayer, IntPtr ReadAheadLayer);

    static readonly Lazy<Api?> ReadAheadApi = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return null;
        if (Export("ldap_get_option") is not { } getOption
            || Export("ber_sockbuf_ctrl") is not { } control
            || Export("ber_sockbuf_add_io") is not { } addLayer
            || Export("ber_sockbuf_io_readahead") is not { } readAhead)
            return null;
        return new Api(Marshal.GetDelegateForFunctionPointer<GetPointerOption>(getOption),
            Marshal.GetDelegateForFunctionPointer<SockbufControl>(control),
            Marshal.GetDelegateForFunctionPointer<SockbufAddLayer>(addLayer), readAhead);
    });

    static IntPtr? Export(string name) =>
        Libldap.Value != IntPtr.Zero && NativeLibrary.TryGetExport(Libldap.Value, name, out var address) ? address : null;
}

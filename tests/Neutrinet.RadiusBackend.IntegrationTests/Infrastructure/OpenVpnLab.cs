using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

/// <summary>A network namespace of its own (<c>ip netns</c>); deleting it also deletes the interfaces in it.</summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static async Task<NetworkNamespace> CreateAsync(string name)
    {
        await Shell.RunCheckedAsync("ip", ["netns", "add", name]);
        var ns = new NetworkNamespace(name);
        try { await ns.IpAsync("link", "set", "lo", "up"); }
        catch { await ns.DisposeAsync(); throw; }
        return ns;
    }

    /// <summary><c>ip -n NAME ...</c>, failing on a non-zero exit.</summary>
    public Task<ShellResult> IpAsync(params string[] args) => Shell.RunCheckedAsync("ip", ["-n", Name, .. args]);

    /// <summary>Runs a command inside the namespace.</summary>
    public Task<ShellResult> ExecAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null) =>
        Shell.RunAsync("ip", ["netns", "exec", Name, file, .. args], timeout: timeout);

    public ProcessStartInfo StartInfo(string file, params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { ArgumentList = { "netns", "exec", Name, file } };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Ends every process still running in the namespace (only this test started any), then deletes it.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var pids = await Shell.RunAsync("ip", ["netns", "pids", Name]);
            var list = pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (pids.ExitCode != 0 || list.Length == 0) break;
            foreach (var pid in list) await Shell.RunAsync("kill", [attempt == 0 ? "-TERM" : "-KILL", pid]);
            await Task.Delay(500);
        }
        await Shell.RunAsync("ip", ["netns", "delete", Name]);
    }

    const int CloneNewNet = 0x40000000;

    [DllImport("libc", SetLastError = true)]
    static extern int setns(int fd, int nstype);

    /// <summary>
    /// Creates a socket inside this namespace: a dedicated thread joins the namespace, creates the socket and
    /// returns to the original namespace before it ends. The socket stays in this namespace, while everything
    /// else the test process does (including connections it makes later) stays where it was.
    /// </summary>
    public Socket CreateSocket(Func<Socket> create)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var original = File.OpenHandle("/proc/thread-self/ns/net", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var target = File.OpenHandle("/run/netns/" + Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                if (setns((int)target.DangerousGetHandle(), CloneNewNet) != 0) throw new Win32Exception(Marshal.GetLastPInvokeError(), "setns " + Name);
                try { socket = create(); }
                finally
                {
                    // If this failed the thread still ends here, so no other code runs in the wrong namespace.
                    setns((int)original.DangerousGetHandle(), CloneNewNet);
                }
            }
            catch (Exception e) { error = e; }
        });
        thread.Start();
        thread.Join();
        if (error is not null) throw new InvalidOperationException("Could not create a socket in namespace " + Name, error);
        return socket!;
    }
}

/// <summary>
/// Forwards RADIUS over UDP from 127.0.0.1:<c>listenPort</c> inside a namespace to 127.0.0.1:<c>targetPort</c> of the
/// test process (the stack's FreeRADIUS). radiusplugin keeps only 4 digits of a port, so the OpenVPN server in its
/// namespace talks to 1812/1813 there, while the stack's FreeRADIUS listens on free 5-digit loopback ports.
/// One upstream socket per client address, so FreeRADIUS sees each plugin socket as a distinct source.
/// </summary>
public sealed class UdpRelay : IAsyncDisposable
{
    readonly Socket _listener;
    readonly IPEndPoint _target;
    readonly ConcurrentDictionary<EndPoint, Socket> _upstreams = new();
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;

    public UdpRelay(NetworkNamespace ns, int listenPort, int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener = ns.CreateSocket(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, listenPort));
            return s;
        });
        _loop = Task.Run(ForwardAsync);
    }

    int _forwarded;

    /// <summary>Datagrams passed on to FreeRADIUS so far.</summary>
    public int Forwarded => Volatile.Read(ref _forwarded);

    async Task ForwardAsync()
    {
        var buffer = new byte[8192];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try { received = await _listener.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            var client = received.RemoteEndPoint;
            var upstream = _upstreams.GetOrAdd(client, c =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Connect(_target);
                _ = Task.Run(() => BackwardAsync(s, c));
                return s;
            });
            try
            {
                await upstream.SendAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, _stop.Token);
                Interlocked.Increment(ref _forwarded);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
        }
    }

    async Task BackwardAsync(Socket upstream, EndPoint client)
    {
        var buffer = new byte[8192];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var n = await upstream.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                await _listener.SendToAsync(buffer.AsMemory(0, n), SocketFlags.None, client, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { await Task.Delay(50); } // e.g. ICMP port unreachable while FreeRADIUS restarts
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        foreach (var s in _upstreams.Values) s.Dispose();
        try { await _loop; } catch (Exception) { /* stopping */ }
        _stop.Dispose();
    }
}

/// <summary>A throw-away CA and server certificate (openssl), like openvpn/README.md's easy-rsa steps produce.</summary>
public static class TestPki
{
    public static async Task CreateAsync(string dir)
    {
        System.IO.Directory.CreateDirectory(dir);
        string P(string name) => Path.Combine(dir, name);
        await File.WriteAllTextAsync(P("server.ext"),
            "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, keyAgreement\nextendedKeyUsage = serverAuth\n");
        await Shell.RunCheckedAsync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", P("ca.key"), "-out", P("ca.crt"), "-days", "2", "-subj", "/CN=Neutrinet test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        await Shell.RunCheckedAsync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", P("server.key"), "-out", P("server.csr"), "-subj", "/CN=vpn.test"]);
        await Shell.RunCheckedAsync("openssl", ["x509", "-req", "-in", P("server.csr"), "-CA", P("ca.crt"), "-CAkey", P("ca.key"),
            "-set_serial", "2", "-days", "2", "-extfile", P("server.ext"), "-out", P("server.crt")]);
        File.Delete(P("ca.key"));
    }
}

/// <summary>The outcome of one OpenVPN client run.</summary>
public sealed record VpnClientResult(bool Connected, string Output);

/// <summary>
/// An OpenVPN server (the repository's openvpn/server.conf and radiusplugin.cnf, with test paths) in one network
/// namespace and clients (openvpn/client.ovpn.template) in another, joined only by a veth pair on a private /30.
/// radiusplugin talks to 127.0.0.1:1812/1813 in the server's namespace, relayed to the stack's FreeRADIUS.
/// Everything is removed by <see cref="DisposeAsync"/>, which is safe to call after a partial start.
/// </summary>
public sealed class OpenVpnLab : IAsyncDisposable
{
    public const string ServerAddress = "192.168.231.1";
    public const string ClientAddress = "192.168.231.2";
    public const string ServerTunAddress = "10.8.0.1";

    readonly TempDir _dir = new("openvpn");
    readonly string _id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    readonly List<IAsyncDisposable> _owned = [];
    CapturedProcess? _server;

    public NetworkNamespace Server { get; private set; } = null!;
    public NetworkNamespace Client { get; private set; } = null!;
    public string ServerLog => _server?.Output ?? "";
    public string Dir => _dir.Path;

    public async Task StartAsync(FreeRadiusServer radius)
    {
        try
        {
            Server = await NetworkNamespace.CreateAsync($"nrb-{_id}-srv");
            _owned.Add(Server);
            Client = await NetworkNamespace.CreateAsync($"nrb-{_id}-cli");
            _owned.Add(Client);
            // Created directly inside the two namespaces: nothing appears in the host's namespace.
            await Shell.RunCheckedAsync("ip", ["link", "add", $"nrb{_id}s", "netns", Server.Name, "type", "veth", "peer", "name", $"nrb{_id}c", "netns", Client.Name]);
            await Server.IpAsync("addr", "add", ServerAddress + "/30", "dev", $"nrb{_id}s");
            await Server.IpAsync("link", "set", $"nrb{_id}s", "up");
            await Client.IpAsync("addr", "add", ClientAddress + "/30", "dev", $"nrb{_id}c");
            await Client.IpAsync("link", "set", $"nrb{_id}c", "up");

            _owned.Add(new UdpRelay(Server, 1812, radius.AuthPort));
            _owned.Add(new UdpRelay(Server, 1813, radius.AcctPort));

            var pki = _dir.Sub("pki");
            await TestPki.CreateAsync(pki);
            var serverConf = _dir.Sub("server.conf");
            var pluginConf = _dir.Sub("radiusplugin.cnf");
            await File.WriteAllTextAsync(serverConf, ServerConfig(pki, pluginConf));
            await File.WriteAllTextAsync(pluginConf, PluginConfig(serverConf, radius.Secret));

            _server = new CapturedProcess(Server.StartInfo("openvpn", "--config", serverConf, "--cd", _dir.Path));
            _owned.Add(_server);
            var clock = Stopwatch.StartNew();
            while (!_server.Output.Contains("Initialization Sequence Completed", StringComparison.Ordinal))
            {
                if (_server.HasExited || clock.Elapsed > TimeSpan.FromSeconds(20))
                    throw new InvalidOperationException("OpenVPN server did not start:\n" + _server.Output);
                await Task.Delay(50);
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>openvpn/server.conf over TCP (the disconnect is seen at once), with the PKI, plugin and status
    /// file in the test directory. Everything else is the deployed configuration.</summary>
    string ServerConfig(string pki, string pluginConf)
    {
        var text = File.ReadAllText(Path.Combine(Repo.Root, "openvpn", "server.conf"));
        text = Replace(text, "proto udp", "proto tcp-server");
        // Only meaningful (and only allowed) over UDP.
        text = Replace(text, "\nexplicit-exit-notify 1\n", "\n");
        text = Replace(text, "/etc/openvpn/server/pki/", pki + "/");
        text = Replace(text, "/etc/openvpn/server/radiusplugin.cnf", pluginConf);
        var ccd = _dir.Sub("ccd");
        System.IO.Directory.CreateDirectory(ccd);
        text = Replace(text, "client-config-dir /etc/openvpn/server/ccd", "client-config-dir " + ccd);
        text = Replace(text, "status /run/openvpn-server/status.log 1", $"status {_dir.Sub("status.log")} 1");
        return text + $"\nlocal {ServerAddress}\n";
    }

    static string PluginConfig(string serverConf, string secret)
    {
        var text = File.ReadAllText(Path.Combine(Repo.Root, "openvpn", "radiusplugin.cnf"));
        text = Replace(text, "@RADIUS_HOST@", "127.0.0.1");
        text = Replace(text, "@RADIUS_SECRET@", secret);
        return Replace(text, "OpenVPNConfig=/etc/openvpn/server/server.conf", "OpenVPNConfig=" + serverConf);
    }

    /// <summary>openvpn/client.ovpn.template filled in as its README says, over TCP, with the credentials in a file.</summary>
    string ClientConfig(string credentials)
    {
        var template = File.ReadAllText(Path.Combine(Repo.Root, "openvpn", "client.ovpn.template"));
        var ca = File.ReadAllText(Path.Combine(_dir.Path, "pki", "ca.crt")).TrimEnd();
        var text = Replace(template, "{{CA}}", ca);
        text = Replace(text, "{{SERVER}}", ServerAddress);
        text = Replace(text, "proto udp", "proto tcp-client");
        text = Replace(text, "\nexplicit-exit-notify 1\n", "\n");
        text = Replace(text, "\nauth-user-pass\n", $"\nauth-user-pass {credentials}\n");
        // Fail fast in tests: one connection attempt, and stop at AUTH_FAILED (the default) instead of retrying.
        return text + "\nconnect-retry-max 1\nresolv-retry 5\n";
    }

    static string Replace(string text, string old, string replacement)
    {
        if (!text.Contains(old, StringComparison.Ordinal)) throw new InvalidOperationException($"'{old.Trim()}' not found in the configuration");
        return text.Replace(old, replacement, StringComparison.Ordinal);
    }

    /// <summary>Starts a client in the client namespace and waits until it is connected or has given up.</summary>
    public async Task<VpnClient> ConnectAsync(string user, string password, TimeSpan? timeout = null)
    {
        var name = Guid.NewGuid().ToString("N")[..8];
        var credentials = _dir.Sub($"client-{name}.pass");
        await File.WriteAllTextAsync(credentials, user + "\n" + password + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = _dir.Sub($"client-{name}.ovpn");
        await File.WriteAllTextAsync(config, ClientConfig(credentials));
        var process = new CapturedProcess(Client.StartInfo("openvpn", "--config", config, "--dev", "tun-" + name, "--dev-type", "tun"));
        var client = new VpnClient(process, "tun-" + name);
        _owned.Add(client);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)))
        {
            if (process.Output.Contains("Initialization Sequence Completed", StringComparison.Ordinal)) { client.Connected = true; break; }
            if (process.HasExited) break;
            await Task.Delay(50);
        }
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        // Processes first (clients, server), then relays, then the namespaces (whose deletion removes the veths).
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try { await _owned[i].DisposeAsync(); }
            catch (Exception) { /* keep cleaning up */ }
        }
        _owned.Clear();
        _dir.Dispose();
    }
}

public sealed class VpnClient(CapturedProcess process, string device) : IAsyncDisposable
{
    public bool Connected { get; internal set; }
    public string Device { get; } = device;
    public string Output => process.Output;
    public bool HasExited => process.HasExited;

    /// <summary>Waits for the client to exit on its own (e.g. after AUTH_FAILED).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && clock.Elapsed < timeout) await Task.Delay(50);
        return process.HasExited;
    }

    /// <summary>SIGTERM: the client closes the connection, the server sees the disconnect and radiusplugin sends the Stop.</summary>
    public Task DisconnectAsync() => process.StopAsync();

    int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) await process.DisposeAsync();
    }
}

/// <summary>ICMP echo from inside a namespace with a raw socket (no ping binary needed; the test runs as root).</summary>
public static class IcmpPing
{
    /// <summary>Sends <paramref name="count"/> echo requests and returns how many replies came back.</summary>
    public static async Task<int> PingAsync(NetworkNamespace ns, IPAddress target, int count, int payloadBytes = 56)
    {
        using var socket = ns.CreateSocket(() => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp));
        var id = (ushort)RandomNumberGenerator.GetInt32(1, 65535);
        var replies = 0;
        var buffer = new byte[2048];
        for (ushort seq = 1; seq <= count; seq++)
        {
            var packet = new byte[8 + payloadBytes];
            packet[0] = 8; // echo request
            packet[4] = (byte)(id >> 8); packet[5] = (byte)id;
            packet[6] = (byte)(seq >> 8); packet[7] = (byte)seq;
            for (var i = 8; i < packet.Length; i++) packet[i] = (byte)i;
            var sum = Checksum(packet);
            packet[2] = (byte)(sum >> 8); packet[3] = (byte)sum;
            await socket.SendToAsync(packet, SocketFlags.None, new IPEndPoint(target, 0));

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                while (true)
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                    var ihl = (buffer[0] & 0x0f) * 4; // a raw IPv4 socket receives the IP header too
                    if (n >= ihl + 8 && buffer[ihl] == 0 && buffer[ihl + 4] == (byte)(id >> 8) && buffer[ihl + 5] == (byte)id
                        && buffer[ihl + 6] == (byte)(seq >> 8) && buffer[ihl + 7] == (byte)seq)
                    {
                        replies++;
                        break;
                    }
                }
            }
            catch (OperationCanceledException) { /* lost */ }
            await Task.Delay(200);
        }
        return replies;
    }

    static ushort Checksum(byte[] data)
    {
        uint sum = 0;
        for (var i = 0; i < data.Length; i += 2) sum += (uint)((data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0));
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}

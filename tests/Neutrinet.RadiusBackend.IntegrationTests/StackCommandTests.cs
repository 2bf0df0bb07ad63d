using System.Globalization;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>The README's first command: scripts/stack up prints a radtest line that logs the demo member in.</summary>
public sealed class StackCommandTests
{
    [Fact]
    public async Task Stack_up_prints_a_radtest_command_that_gets_an_access_accept_and_down_stops_everything()
    {
        using var dir = new TempDir("stack-cmd");
        var env = new Dictionary<string, string>
        {
            ["STACK_DIR"] = dir.Path,
            ["STACK_LDAP_PORT"] = FreePort.Tcp().ToString(CultureInfo.InvariantCulture),
            ["STACK_REDIS_PORT"] = FreePort.Tcp().ToString(CultureInfo.InvariantCulture),
            ["STACK_BACKEND_PORT"] = FreePort.Tcp().ToString(CultureInfo.InvariantCulture),
            ["STACK_RADIUS_AUTH_PORT"] = FreePort.Udp().ToString(CultureInfo.InvariantCulture),
            ["STACK_RADIUS_ACCT_PORT"] = FreePort.Udp().ToString(CultureInfo.InvariantCulture),
        };
        var stackScript = Path.Combine(Repo.Root, "scripts", "stack");
        try
        {
            var up = await Shell.RunCheckedAsync(stackScript, ["up"], env, timeout: TimeSpan.FromMinutes(5));
            var lines = up.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l == $"Backend: http://127.0.0.1:{env["STACK_BACKEND_PORT"]}");
            var radius = lines.Single(l => l.StartsWith("RADIUS: ", StringComparison.Ordinal)).Split(' ');
            Assert.Equal(["RADIUS:", "127.0.0.1", env["STACK_RADIUS_AUTH_PORT"], env["STACK_RADIUS_ACCT_PORT"]], radius[..4]);
            var radtest = lines.Single(l => l.StartsWith("radtest ", StringComparison.Ordinal)).Split(' ');
            Assert.Equal(radius[4], radtest[^1]);

            var login = await Shell.RunAsync(radtest[0], radtest[1..]);

            Assert.Contains("Received Access-Accept", login.Stdout, StringComparison.Ordinal);
            Assert.Contains("Framed-IP-Address = 198.51.100.10", login.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await Shell.RunAsync(stackScript, ["down"], env);
        }
        var status = await Shell.RunCheckedAsync(stackScript, ["status"], env);
        Assert.DoesNotContain("running", status.Stdout, StringComparison.Ordinal);
    }
}

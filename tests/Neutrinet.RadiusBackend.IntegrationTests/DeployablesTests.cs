using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>No Docker engine runs here, but the compose file must stay valid for operators who have one.</summary>
public sealed class DeployablesTests
{
    [Fact]
    public async Task Docker_compose_file_is_valid_with_the_example_environment()
    {
        var result = await Shell.RunAsync("docker-compose",
            ["--env-file", Path.Combine(Repo.Root, ".env.example"), "-f", Path.Combine(Repo.Root, "docker-compose.yml"), "config"]);
        Assert.True(result.ExitCode == 0, result.Output);
        foreach (var service in new[] { "ldap:", "redis:", "backend:", "freeradius:", "openvpn:" })
            Assert.Contains(service, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docker_compose_refuses_to_run_without_secrets()
    {
        using var empty = new TempDir("compose");
        var envFile = empty.Sub("empty.env");
        await File.WriteAllTextAsync(envFile, "");
        var result = await Shell.RunAsync("docker-compose", ["--env-file", envFile, "-f", Path.Combine(Repo.Root, "docker-compose.yml"), "config"],
            new Dictionary<string, string> { ["NEUTRINET_LDAP_SERVICE_PASSWORD"] = "" });
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("in .env", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_way_of_running_the_backend_sets_the_runtime_settings_the_benchmark_measured()
    {
        // bench/run reads the DOTNET_GC* and DOTNET_SYSTEM_NET_SOCKETS_* lines of the systemd unit; the image and
        // scripts/stack must not drift from them.
        var unit = File.ReadAllLines(Path.Combine(Repo.Root, "deploy/systemd/neutrinet-radius-backend.service"));
        var settings = unit.Where(l => l.StartsWith("Environment=DOTNET_GC", StringComparison.Ordinal)
                || l.StartsWith("Environment=DOTNET_SYSTEM_NET_SOCKETS_", StringComparison.Ordinal))
            .Select(l => l["Environment=".Length..]).ToList();
        var dockerfile = File.ReadAllText(Path.Combine(Repo.Root, "Dockerfile"));
        var stack = File.ReadAllText(Path.Combine(Repo.Root, "scripts/stack"));

        Assert.Contains("DOTNET_GCgen0size=0x200000", settings);
        Assert.Contains("DOTNET_GCName=libclrgc.so", settings);
        Assert.Contains("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1", settings);
        foreach (var setting in settings)
        {
            Assert.Contains("ENV " + setting, dockerfile, StringComparison.Ordinal);
            Assert.Contains("export " + setting, stack, StringComparison.Ordinal);
        }
    }
}

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
}

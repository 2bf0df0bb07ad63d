using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Neutrinet.RadiusBackend.Radius;

namespace Neutrinet.RadiusBackend.UnitTests;

public class FreeRadiusOnlyFilterTests
{
    const string ApiKey = "k-0123456789abcdef-secret";
    static readonly object Passed = new();

    sealed class Call
    {
        public bool NextInvoked { get; private set; }
        public object? Result { get; private set; }

        public Task<Call> RunAsync(FreeRadiusOnlyFilter filter, HttpContext http)
        {
            // What each /radius handler does first: answer the refusal, or go on to the endpoint.
            Result = filter.Refuse(http);
            if (Result is null)
            {
                NextInvoked = true;
                Result = Passed;
            }
            return Task.FromResult(this);
        }
    }

    static FreeRadiusOnlyFilter Filter(params string[] networks) =>
        new(Options.Create(new RadiusOptions { ApiKey = ApiKey, AllowedNetworks = [.. networks] }));

    static FreeRadiusOnlyFilter DefaultFilter() =>
        new(Options.Create(new RadiusOptions { ApiKey = ApiKey }));

    static DefaultHttpContext Request(string? remote, params string[] keys)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = remote is null ? null : IPAddress.Parse(remote);
        if (keys.Length > 0) http.Request.Headers["X-Api-Key"] = keys;
        return http;
    }

    static void AssertRefused(Call call, int status)
    {
        Assert.False(call.NextInvoked, "the endpoint ran although the filter should have refused");
        var problem = Assert.IsType<ProblemHttpResult>(call.Result);
        Assert.Equal(status, problem.StatusCode);
    }

    static void AssertPassed(Call call)
    {
        Assert.True(call.NextInvoked);
        Assert.Same(Passed, call.Result);
    }

    [Fact]
    public async Task Api_key_filter_refuses_missing_wrong_and_accepts_right_key()
    {
        var filter = DefaultFilter();

        AssertRefused(await new Call().RunAsync(filter, Request("127.0.0.1")), 401);
        AssertRefused(await new Call().RunAsync(filter, Request("127.0.0.1", "wrong-key")), 401);
        AssertPassed(await new Call().RunAsync(filter, Request("127.0.0.1", ApiKey)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("k-0123456789abcdef-secre")]
    [InlineData("k-0123456789abcdef-secrett")]
    [InlineData("K-0123456789ABCDEF-SECRET")]
    [InlineData(" k-0123456789abcdef-secret")]
    [InlineData("k-0123456789abcdef-secret ")]
    [InlineData("k-0123456789abcdef-secret\0")]
    [InlineData("Bearer k-0123456789abcdef-secret")]
    public async Task Api_key_filter_refuses_near_miss_keys(string key)
    {
        AssertRefused(await new Call().RunAsync(DefaultFilter(), Request("127.0.0.1", key)), 401);
    }

    [Fact]
    public async Task Api_key_filter_refuses_a_huge_key()
    {
        AssertRefused(await new Call().RunAsync(DefaultFilter(), Request("127.0.0.1", ApiKey + new string('x', 100_000))), 401);
    }

    [Fact]
    public async Task Api_key_filter_refuses_the_key_sent_twice_or_with_another()
    {
        var filter = DefaultFilter();

        AssertRefused(await new Call().RunAsync(filter, Request("127.0.0.1", ApiKey, ApiKey)), 401);
        AssertRefused(await new Call().RunAsync(filter, Request("127.0.0.1", "wrong", ApiKey)), 401);
        AssertRefused(await new Call().RunAsync(filter, Request("127.0.0.1", ApiKey, "wrong")), 401);
    }

    [Fact]
    public async Task Api_key_filter_ignores_the_key_in_other_headers()
    {
        var http = Request("127.0.0.1");
        http.Request.Headers.Authorization = "Bearer " + ApiKey;
        http.Request.Headers["X-Api-Key-2"] = ApiKey;

        AssertRefused(await new Call().RunAsync(DefaultFilter(), http), 401);
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("192.168.1.1")]
    [InlineData("128.0.0.1")]
    [InlineData("::2")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:10.0.0.5")]
    [InlineData(null)]
    public async Task Api_key_filter_refuses_disallowed_source(string? remote)
    {
        AssertRefused(await new Call().RunAsync(DefaultFilter(), Request(remote, ApiKey)), 403);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task Api_key_filter_accepts_the_default_loopback_sources(string remote)
    {
        AssertPassed(await new Call().RunAsync(DefaultFilter(), Request(remote, ApiKey)));
    }

    [Fact]
    public async Task Api_key_filter_checks_the_source_before_the_key()
    {
        AssertRefused(await new Call().RunAsync(DefaultFilter(), Request("10.0.0.5")), 403);
    }

    [Fact]
    public async Task Api_key_filter_uses_the_configured_networks()
    {
        var filter = Filter("10.0.0.0/24", "2001:db8::/32");

        AssertPassed(await new Call().RunAsync(filter, Request("10.0.0.200", ApiKey)));
        AssertPassed(await new Call().RunAsync(filter, Request("2001:db8::53", ApiKey)));
        AssertRefused(await new Call().RunAsync(filter, Request("10.0.1.1", ApiKey)), 403);
        AssertRefused(await new Call().RunAsync(filter, Request("127.0.0.1", ApiKey)), 403);
    }

    [Fact]
    public async Task Api_key_filter_allows_any_source_when_no_network_is_configured_but_still_needs_the_key()
    {
        var filter = Filter();

        AssertPassed(await new Call().RunAsync(filter, Request("198.51.100.7", ApiKey)));
        AssertPassed(await new Call().RunAsync(filter, Request(null, ApiKey)));
        AssertRefused(await new Call().RunAsync(filter, Request("198.51.100.7", "wrong")), 401);
    }
}

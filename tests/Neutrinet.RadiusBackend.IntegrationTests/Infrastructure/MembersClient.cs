using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

public sealed record Registered(string MemberId, string Email, string Password, string VpnToken, string VpnTokenId);
public sealed record Tokens(string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>What the members app does over HTTP.</summary>
public sealed class MembersClient(BackendServer backend)
{
    HttpClient Http => backend.Http;
    string Url(string path) => backend.BaseUrl + path;

    public async Task<Registered> RegisterAsync(string? email = null, string password = "a perfectly fine passphrase 7")
    {
        email ??= Stack.NewEmail();
        using var response = await Http.PostAsJsonAsync(Url("/api/auth/simpleauth/register"), new { email, password, displayName = "Test Member" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        return new Registered(root.GetProperty("member").GetProperty("id").GetString()!, email, password,
            root.GetProperty("vpnToken").GetString()!, root.GetProperty("vpnTokenId").GetString()!);
    }

    public Task<HttpResponseMessage> LoginRawAsync(string email, string password) =>
        Http.PostAsJsonAsync(Url("/api/auth/simpleauth/login"), new { email, password });

    public async Task<Tokens> LoginAsync(string email, string password)
    {
        using var response = await LoginRawAsync(email, password);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonSerializer.Deserialize<Tokens>(body, JsonSerializerOptions.Web)!;
    }

    public Task<HttpResponseMessage> RefreshRawAsync(string refreshToken) =>
        Http.PostAsJsonAsync(Url("/api/auth/refresh"), new { refreshToken });

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? accessToken, object? body = null)
    {
        using var request = new HttpRequestMessage(method, Url(path));
        if (accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await Http.SendAsync(request);
    }

    public async Task<JsonElement> GetJsonAsync(string path, string accessToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, accessToken);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}

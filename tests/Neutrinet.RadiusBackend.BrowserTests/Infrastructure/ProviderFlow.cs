using System.Net;

namespace Neutrinet.RadiusBackend.BrowserTests.Infrastructure;

/// <summary>
/// The browser's part of an external log-in done by hand over HTTP, redirect by redirect, so a test can alter a URL on
/// the way (a browser's request interception does not see redirected requests). One cookie jar per flow.
/// </summary>
public sealed class ProviderFlow : IDisposable
{
    readonly HttpClientHandler _handler = new() { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true };
    readonly HttpClient _http;

    public ProviderFlow() => _http = new HttpClient(_handler) { Timeout = TimeSpan.FromSeconds(15) };

    /// <summary>Starts at <paramref name="startUrl"/>, signs in as <paramref name="username"/> at the provider and returns
    /// the backend's answer to the callback. <paramref name="alter"/> may rewrite any redirect target first.</summary>
    public async Task<HttpResponseMessage> RunAsync(string startUrl, string username, Func<Uri, Uri>? alter = null)
    {
        alter ??= u => u;
        var request = new HttpRequestMessage(HttpMethod.Get, startUrl);
        for (var hop = 0; hop < 20; hop++)
        {
            var url = request.RequestUri!;
            var response = await _http.SendAsync(request);
            request.Dispose();
            if (url.AbsolutePath.EndsWith("/callback", StringComparison.Ordinal)) return response;
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                var next = alter(new Uri(url, location));
                response.Dispose();
                request = new HttpRequestMessage(HttpMethod.Get, next);
                continue;
            }
            if (response.StatusCode == HttpStatusCode.OK && url.AbsolutePath.StartsWith("/interaction/", StringComparison.Ordinal))
            {
                response.Dispose();
                request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, url.AbsolutePath + "/login"))
                {
                    Content = new FormUrlEncodedContent([new("username", username)]),
                };
                continue;
            }
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"unexpected {(int)response.StatusCode} at {url}: {body}");
        }
        throw new InvalidOperationException("too many redirects");
    }

    public static Uri WithQuery(Uri url, string name, Func<string, string> change)
    {
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        if (query[name] is { } value) query[name] = change(value);
        return new Uri($"{url.GetLeftPart(UriPartial.Path)}?{query}");
    }

    public void Dispose()
    {
        _http.Dispose();
        _handler.Dispose();
    }
}

using System.Net;
using System.Text;
using Neutrinet.RadiusBackend.IntegrationTests.Infrastructure;

namespace Neutrinet.RadiusBackend.IntegrationTests;

/// <summary>Straight HTTP to the backend process: every bad request is a clean 4xx problem, never a 500 or a hang.</summary>
public sealed class HostileInputTests(Stack stack) : IClassFixture<Stack>
{
    static string Attr(string name, string jsonValue, string type = "string") =>
        $"\"{name}\":{{\"type\":\"{type}\",\"value\":[{jsonValue}]}}";

    async Task<HttpResponseMessage> PostAsync(string path, string body, string? apiKey = "default", string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, stack.Backend.BaseUrl + path)
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        if (apiKey is not null) request.Headers.Add("X-Api-Key", apiKey == "default" ? stack.Backend.ApiKey : apiKey);
        return await stack.Backend.Http.SendAsync(request);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key-0123456789")]
    [InlineData("")]
    public async Task Missing_or_wrong_api_key_is_refused(string? key)
    {
        foreach (var section in new[] { "authorize", "authenticate", "accounting", "post-auth" })
        {
            using var response = await PostAsync("/radius/" + section, "{" + Attr("User-Name", "\"a@b.org\"") + "}", key ?? null);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    public static TheoryData<string, string, HttpStatusCode> BadBodies => new()
    {
        { "broken json", "{\"User-Name\":{\"type\":\"string\",\"value\":[\"a@b.org\"", HttpStatusCode.BadRequest },
        { "not an object", "[1,2,3]", HttpStatusCode.BadRequest },
        { "empty body", "", HttpStatusCode.BadRequest },
        { "missing user name", "{" + Attr("User-Password", "\"x\"") + "}", HttpStatusCode.BadRequest },
        { "value not an array", "{\"User-Name\":{\"type\":\"string\",\"value\":\"a@b.org\"}}", HttpStatusCode.BadRequest },
        { "attribute not an object", "{\"User-Name\":\"a@b.org\"}", HttpStatusCode.BadRequest },
        { "user name is a number", "{" + Attr("User-Name", "42") + "}", HttpStatusCode.BadRequest },
        { "nested object in value", "{" + Attr("User-Name", "{\"x\":1}") + "}", HttpStatusCode.BadRequest },
        { "300-char name", "{" + Attr("User-Name", "\"" + new string('a', 290) + "@example.org\"") + "}", HttpStatusCode.BadRequest },
        { "NUL byte in name", "{" + Attr("User-Name", "\"alice\\u0000@example.org\"") + "}", HttpStatusCode.BadRequest },
        { "zero-width space", "{" + Attr("User-Name", "\"alice\\u200b@example.org\"") + "}", HttpStatusCode.BadRequest },
        { "bidi override", "{" + Attr("User-Name", "\"\\u202Ealice@example.org\"") + "}", HttpStatusCode.BadRequest },
        { "filter injection", "{" + Attr("User-Name", "\"*)(uid=*\"") + "}", HttpStatusCode.NotFound },
        { "wildcard", "{" + Attr("User-Name", "\"*\"") + "}", HttpStatusCode.NotFound },
        { "deep nesting", new string('[', 500) + new string(']', 500), HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_authorize_bodies_get_a_clean_4xx(string why, string body, HttpStatusCode expected)
    {
        using var response = await PostAsync("/radius/authorize", body);
        Assert.True(expected == response.StatusCode, $"{why}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    static void AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Wrong_method_or_path_under_radius_gets_a_problem_not_an_empty_answer()
    {
        // rlm_rest's endpoints skip status-code pages; a request that matches none of them still gets them.
        using var get = await stack.Backend.Http.GetAsync(stack.Backend.BaseUrl + "/radius/authorize");
        AssertProblem(get, HttpStatusCode.MethodNotAllowed);
        using var unknown = await PostAsync("/radius/authorise", "{" + Attr("User-Name", "\"a@b.org\"") + "}");
        AssertProblem(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task People_requests_still_get_status_code_pages_and_web_pages()
    {
        using var missing = await stack.Backend.Http.GetAsync(stack.Backend.BaseUrl + "/no-such-page");
        AssertProblem(missing, HttpStatusCode.NotFound);
        using var page = await stack.Backend.Http.GetAsync(stack.Backend.BaseUrl + "/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Oversized_body_is_refused_with_413()
    {
        var huge = "{" + Attr("User-Name", "\"a@b.org\"") + "," + Attr("Class", "\"" + new string('x', 200_000) + "\"") + "}";
        using var response = await PostAsync("/radius/accounting", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Form_encoded_body_is_refused_with_415()
    {
        using var response = await PostAsync("/radius/authorize", "User-Name=a%40b.org", contentType: "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Accounting_with_bad_counters_is_a_400_not_a_500()
    {
        var body = "{" + Attr("User-Name", "\"a@b.org\"") + "," + Attr("Acct-Status-Type", "\"Stop\"", "integer") + ","
            + Attr("Acct-Unique-Session-Id", "\"abc\"") + "," + Attr("Acct-Input-Octets", "-5", "integer") + "}";
        using var response = await PostAsync("/radius/accounting", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Surrounding_spaces_and_case_in_the_user_name_still_find_the_member()
    {
        var email = Stack.NewEmail();
        var (_, _, token) = await stack.Backend.AddMemberAsync(email);
        var body = "{" + Attr("User-Name", "\"  " + email.ToUpperInvariant() + "\\t\"") + "," + Attr("User-Password", "\"" + token + "\"") + "}";

        using var response = await PostAsync("/radius/authorize", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"control:Auth-Type\":\"Accept\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_ascii_email_is_refused_at_creation_with_a_clear_message()
    {
        var result = await Shell.RunAsync("dotnet", [Repo.BackendDll(), "member", "add", "ålice@example.org"], stack.Backend.Environment());
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("must be ASCII", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Openapi_document_describes_the_radius_endpoints()
    {
        var document = await stack.Backend.Http.GetStringAsync(stack.Backend.BaseUrl + "/openapi/v1.json");
        Assert.Contains("/radius/authorize", document, StringComparison.Ordinal);
        Assert.Contains("/radius/accounting", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_reports_ldap_and_redis()
    {
        var body = await stack.Backend.Http.GetStringAsync(stack.Backend.BaseUrl + "/readyz");
        Assert.Contains("\"ldap\":{\"status\":\"Healthy\"", body, StringComparison.Ordinal);
        Assert.Contains("\"redis\":{\"status\":\"Healthy\"", body, StringComparison.Ordinal);
    }
}

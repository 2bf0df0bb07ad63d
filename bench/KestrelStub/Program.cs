// ceiling-kestrel: the smallest honest ASP.NET Core endpoint for rlm_rest. It answers POST /radius/authorize with the
// fixed single-call accept body and does nothing else (it does not read the request body; Kestrel drains it).
// Same GC and transport settings as the backend (workstation, non-concurrent; inline scheduling), minimal-API routing
// like the backend's endpoints.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
// The backend's transport setting (Server:InlineScheduling, on unless configured off), so both are measured alike.
builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = builder.Configuration.GetValue("Server:InlineScheduling", true));
var app = builder.Build();

// The reply a real member gets (static IPv4, IPv6 prefix, interim interval): FreeRADIUS parses and encodes the
// same attributes as behind the backend, so the ceiling is the backend's own work at zero cost.
var accept = """{"control:Auth-Type":"Accept","reply:Framed-IP-Address":{"value":"10.8.1.2","do_xlat":false},"reply:Framed-IPv6-Prefix":{"value":"2001:db8:0:102::/64","do_xlat":false},"reply:Acct-Interim-Interval":300}"""u8.ToArray();
app.MapPost("/radius/authorize", (HttpContext http) =>
{
    var response = http.Response;
    response.StatusCode = StatusCodes.Status200OK;
    response.ContentType = "application/json";
    response.ContentLength = accept.Length;
    return response.Body.WriteAsync(accept).AsTask();
});
app.MapGet("/healthz", () => "ok");
app.Run();

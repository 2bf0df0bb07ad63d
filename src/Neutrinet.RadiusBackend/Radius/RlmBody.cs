using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Neutrinet.RadiusBackend.Radius;

/// <summary>Reads an rlm_rest body with a hard size cap, and turns every kind of bad input into a 4xx problem.</summary>
internal static class RlmBody
{
    public static async ValueTask<(RlmRequest? Request, ProblemHttpResult? Problem)> ReadAsync(HttpRequest http, int maxBytes)
    {
        if (http.ContentLength > maxBytes) return (null, TooLarge(maxBytes));
        if (http.ContentType is { } contentType && contentType != "application/json"
            && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type", detail: "rlm_rest must be configured with body = 'json'."));

        var reader = http.BodyReader;
        while (true)
        {
            ReadResult read;
            // No RequestAborted token: Kestrel ends the read itself when the connection goes, and reading the token makes
            // it set up a CancellationTokenSource, under a lock, for every login.
            try { read = await reader.ReadAsync(); }
            catch (BadHttpRequestException e)
            {
                return (null, TypedResults.Problem(statusCode: e.StatusCode, title: "Unreadable request body", detail: e.Message));
            }
            var buffer = read.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.End);
                return (null, TooLarge(maxBytes));
            }
            if (read.IsCompleted || read.IsCanceled)
            {
                var ok = RlmRequest.TryParse(buffer, out var request, out var error);
                reader.AdvanceTo(buffer.End);
                return ok ? (request, null)
                    : (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid RADIUS request", detail: error));
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    static ProblemHttpResult TooLarge(int maxBytes) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
            detail: $"RADIUS request bodies are limited to {maxBytes} bytes.");
}

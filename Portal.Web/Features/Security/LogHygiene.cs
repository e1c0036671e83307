namespace Portal.Web.Features.Security;

/// <summary>
/// Keeps passwords, tokens and answers out of the logs whatever level an operator turns on.
/// Each rule names a framework category that writes what a person sent.
/// </summary>
public static class LogHygiene
{
    public static ILoggingBuilder AddPortalLogHygiene(this ILoggingBuilder logging)
    {
        // "Request starting GET https://.../email/unsubscribe?token=..." (Information): the query
        // string carries unsubscribe, invitation, confirmation, reset and print tokens.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        // "Received hub invocation: ... DispatchEventAsync ... {"value":"..."}" (Debug): every
        // answer typed on an interactive page, as Blazor's WebSocket carries it.
        logging.AddFilter("Microsoft.AspNetCore.SignalR", LogLevel.Information);
        return logging;
    }
}

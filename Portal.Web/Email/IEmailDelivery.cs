using MimeKit;

namespace Portal.Web.Email;

/// <summary>
/// The one way a message leaves the portal: account emails, advice follow-ups, invitations.
/// A seam because the transport is chosen by configuration (SMTP or a pickup folder).
/// </summary>
public interface IEmailDelivery
{
    /// <summary>
    /// A session that sends many messages over one connection, as the dispatcher does; it
    /// connects on first use and reconnects after a failure. Dispose it to disconnect.
    /// </summary>
    IEmailSession OpenSession();
}

public interface IEmailSession : IAsyncDisposable
{
    /// <summary>
    /// Delivers the message or throws: <see cref="EmailServerUnavailableException"/> when no
    /// message can go now, <see cref="EmailRejectedException"/> when this one was refused.
    /// </summary>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>The server refused this one message (a bad address, say); the connection and other messages are fine.</summary>
/// <param name="Permanent">A 5xx refusal: sending it again will not help.</param>
public sealed class EmailRejectedException(string message, bool permanent, Exception inner) : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;
}

/// <summary>The mail server (or the pickup folder) cannot take messages now: nothing else in the batch will go either.</summary>
public sealed class EmailServerUnavailableException(string message, Exception inner) : Exception(message, inner);

public static class EmailDeliveryExtensions
{
    /// <summary>Sends one message on a session of its own.</summary>
    public static async Task SendAsync(this IEmailDelivery delivery, MimeMessage message, CancellationToken cancellationToken)
    {
        await using var session = delivery.OpenSession();
        await session.SendAsync(message, cancellationToken);
    }
}

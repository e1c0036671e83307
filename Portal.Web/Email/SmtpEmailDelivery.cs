using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Portal.Web.Email;

/// <summary>Sends through the SMTP server in <c>Email:Smtp</c> with MailKit.</summary>
public sealed class SmtpEmailDelivery(IOptions<EmailOptions> options, ILogger<SmtpEmailDelivery> logger) : IEmailDelivery
{
    public IEmailSession OpenSession() => new Session(options.Value.Smtp, logger);

    internal static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.Auto => SecureSocketOptions.Auto,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => throw new ArgumentOutOfRangeException(nameof(security), security, "Unknown SMTP security mode."),
    };

    /// <summary>
    /// A TCP connection with Nagle's algorithm off. SMTP is a conversation of small writes
    /// (the end-of-data dot, the next MAIL FROM): with Nagle on, each waits for the server's
    /// delayed acknowledgement, about 40 ms a message, which capped a connection at about
    /// 20 messages a second (measured: docs/benchmarks.md).
    /// </summary>
    internal static async Task<Socket> ConnectSocketAsync(SmtpOptions smtp, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(smtp.TimeoutSeconds));
        try
        {
            await socket.ConnectAsync(smtp.Host!, smtp.Port, timeout.Token);
            return socket;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"Could not connect to the SMTP server {smtp.Host}:{smtp.Port} within {smtp.TimeoutSeconds} seconds.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class Session(SmtpOptions smtp, ILogger logger) : IEmailSession
    {
        private SmtpClient? client;

        public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            try
            {
                client ??= new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
                if (!client.IsConnected)
                {
                    await client.ConnectAsync(await ConnectSocketAsync(smtp, cancellationToken), smtp.Host!, smtp.Port, ToMailKit(smtp.Security), cancellationToken);
                    if (!string.IsNullOrEmpty(smtp.Username))
                    {
                        await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
                    }
                }

                await client.SendAsync(message, cancellationToken);
            }
            catch (SmtpCommandException e) when (e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted or SmtpErrorCode.SenderNotAccepted
                && e.StatusCode is not SmtpStatusCode.ServiceNotAvailable)
            {
                // The server refused this message; the connection is still good for the next one.
                throw new EmailRejectedException($"The SMTP server refused the message: {(int)e.StatusCode} {e.Message}", permanent: (int)e.StatusCode >= 500, e);
            }
            catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException or AuthenticationException
                or SslHandshakeException or System.Net.Sockets.SocketException or IOException or TimeoutException)
            {
                // The connection is gone or unusable: start afresh next time.
                Drop();
                throw new EmailServerUnavailableException($"The SMTP server {smtp.Host}:{smtp.Port} could not take the message: {e.Message}", e);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Drop();
                throw;
            }

            logger.LogDebug("Sent email {MessageId} by SMTP via {Host}:{Port}", message.MessageId, smtp.Host, smtp.Port);
        }

        public async ValueTask DisposeAsync()
        {
            if (client is { IsConnected: true })
            {
                try
                {
                    await client.DisconnectAsync(quit: true);
                }
                catch (Exception e) when (e is ServiceNotConnectedException or IOException or SmtpProtocolException)
                {
                    // Already gone: nothing to close.
                }
            }

            Drop();
        }

        private void Drop()
        {
            client?.Dispose();
            client = null;
        }
    }
}

using Microsoft.Extensions.Options;
using MimeKit;
using Portal.Web.Configuration;

namespace Portal.Web.Email;

/// <summary>
/// Writes each message as an .eml file when no SMTP host is configured, so a developer can
/// open a confirmation link without running a mail server. The path is logged; the content
/// (links carry tokens) is not.
/// </summary>
public sealed class PickupFolderEmailDelivery(
    IOptions<EmailOptions> options, IOptions<PortalOptions> portal, TimeProvider clock, ILogger<PickupFolderEmailDelivery> logger) : IEmailDelivery, IEmailSession
{
    // Writing files needs no connection: the delivery is its own session.
    public IEmailSession OpenSession() => this;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public string Folder => Path.IsPathRooted(options.Value.PickupDirectory)
        ? options.Value.PickupDirectory
        : portal.Value.DataPath(options.Value.PickupDirectory);

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        // Sortable by time, unique by message id.
        var name = $"{clock.GetUtcNow():yyyyMMdd'T'HHmmssfff}-{Guid.NewGuid():N}.eml";
        var path = Path.Combine(Folder, name);
        var temp = path + ".tmp";
        try
        {
            Directory.CreateDirectory(Folder);
            await message.WriteToAsync(temp, cancellationToken);
            File.Move(temp, path); // readers never see a half-written file
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a folder without write access stops every message, not just this one.
            throw new EmailServerUnavailableException($"The pickup folder {Folder} cannot be written: {e.Message}", e);
        }

        logger.LogInformation("Email {MessageId} written to {Path} (no SMTP host is set)", message.MessageId, path);
    }
}

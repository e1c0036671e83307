using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Email;

/// <summary>Section <c>Email</c>: who the portal's emails come from and how they leave.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    [Required(ErrorMessage = "must be the address the portal's emails come from")]
    [EmailAddress(ErrorMessage = "must be an email address, such as portal@example.org")]
    public string FromAddress { get; set; } = "portal@localhost";

    [Required(ErrorMessage = "must be the sender name people see")]
    public string FromName { get; set; } = "SME Readiness Portal";

    /// <summary>
    /// Where messages are written as .eml files when no SMTP host is set. Relative paths are
    /// inside <c>Portal:DataDirectory</c>.
    /// </summary>
    [Required(ErrorMessage = "must name a folder for emails when no SMTP host is set")]
    public string PickupDirectory { get; set; } = "mail-pickup";

    public SmtpOptions Smtp { get; set; } = new();
}

/// <summary>How to reach the SMTP server (section <c>Email:Smtp</c>); no host means the pickup folder.</summary>
public sealed class SmtpOptions : IValidatableObject
{
    public string? Host { get; set; }

    [Range(1, 65535, ErrorMessage = "must be a TCP port between 1 and 65535")]
    public int Port { get; set; } = 25;

    [EnumDataType(typeof(SmtpSecurity), ErrorMessage = "must be one of None, Auto, StartTls, StartTlsWhenAvailable, SslOnConnect")]
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    public string? Username { get; set; }

    public string? Password { get; set; }

    [Range(1, 600, ErrorMessage = "must be between 1 and 600 seconds")]
    public int TimeoutSeconds { get; set; } = 30;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("must be set when Email:Smtp:Username is set", [nameof(Password)]);
        }
    }
}

/// <summary>TLS on the SMTP connection; mirrors MailKit's SecureSocketOptions.</summary>
public enum SmtpSecurity
{
    None,
    Auto,
    StartTls,
    StartTlsWhenAvailable,
    SslOnConnect,
}

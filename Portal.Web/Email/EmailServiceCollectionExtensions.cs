using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;
using Portal.Web.Data;

namespace Portal.Web.Email;

public static class EmailServiceCollectionExtensions
{
    public static WebApplicationBuilder AddPortalEmail(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<EmailOptions>(EmailOptions.SectionName);
        services.AddSingleton<EmailComposer>();
        services.AddSingleton<SmtpEmailDelivery>();
        services.AddSingleton<PickupFolderEmailDelivery>();
        // The transport is chosen when first used, from validated settings: SMTP when a host is set.
        services.AddSingleton<IEmailDelivery>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Smtp.Enabled
            ? sp.GetRequiredService<SmtpEmailDelivery>()
            : sp.GetRequiredService<PickupFolderEmailDelivery>());
        services.AddSingleton<IEmailSender<PortalUser>, IdentityEmailSender>();
        return builder;
    }
}

namespace Portal.Web.Features.Results;

/// <summary>Section <c>Pdf</c>: how results are printed to PDF.</summary>
public sealed class PdfOptions
{
    public const string SectionName = "Pdf";

    /// <summary>Headless Chromium; when the file is missing, the PDF download says so and offers Print instead.</summary>
    public string ChromiumPath { get; set; } = "/usr/bin/chromium";

    /// <summary>
    /// The address Chromium uses to reach this portal's print page. Empty: the portal's own
    /// listening address on this machine (loopback).
    /// </summary>
    public string? InternalBaseUrl { get; set; }

    [System.ComponentModel.DataAnnotations.Range(5, 300, ErrorMessage = "must be between 5 and 300 seconds")]
    public int TimeoutSeconds { get; set; } = 60;
}

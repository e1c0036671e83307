using Portal.Tests.TestSupport;

// One SMTP test server and one Chromium for the whole run, shared by tests in parallel.
[assembly: AssemblyFixture(typeof(MailDevServer))]
[assembly: AssemblyFixture(typeof(Chromium))]

using Hangfire.Logging;

namespace Portal.Web.Jobs;

/// <summary>
/// Hangfire keeps its log provider in a process-wide static, set by the last host that
/// configured Hangfire. In a process with several hosts (the test suite starts many) that
/// host may already be disposed, and Hangfire then throws from its constructors (a
/// BackgroundJobClient made for a page) because the logger factory it points to is gone.
/// This wrapper logs through the host while it lives and drops messages after that, instead
/// of failing the request. A portal process has one host, so in production it only logs.
/// </summary>
internal sealed class HostSafeLogProvider(ILogProvider inner) : ILogProvider
{
    public ILog GetLogger(string name)
    {
        try
        {
            return new SafeLog(inner.GetLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return SafeLog.Silent;
        }
    }

    private sealed class SafeLog(ILog? inner) : ILog
    {
        public static readonly SafeLog Silent = new(null);

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string> messageFunc, Exception exception)
        {
            try
            {
                return inner?.Log(logLevel, messageFunc, exception) ?? false;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.TestSupport;

/// <summary>Everything the host logs, kept for the test: to read on failure, and to check that no secret is ever logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyCollection<string> Lines => lines;

    /// <summary>The least severe level kept; Trace in the test that checks no secret is ever logged.</summary>
    public LogLevel MinimumLevel { get; set; } = LogLevel.Information;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines, this);

    public void Dispose()
    {
    }

    public void WriteTo(string path) => File.WriteAllLines(path, lines);

    private sealed class Logger(string category, ConcurrentQueue<string> lines, CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
        }
    }
}

namespace Portal.Tests.TestSupport;

/// <summary>
/// Tests that run the portal as processes of their own go one at a time: each start
/// JIT-compiles the whole portal, and several at once on two cores starve each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PortalProcessesCollection
{
    public const string Name = "Portal processes";
}

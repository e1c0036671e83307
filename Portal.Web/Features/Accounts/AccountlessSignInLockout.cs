using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Portal.Web.Features.Accounts;

/// <summary>
/// Locks sign-in for email addresses Identity does not count failures for: addresses without an
/// account, and accounts not confirmed yet (Identity refuses those before it checks the
/// password). Without it, five wrong passwords would lock a real account (the lockout page) but
/// leave an unknown address answering "invalid", telling anyone which addresses have accounts.
/// Same limit and duration as Identity's lockout, so the two cannot be told apart.
/// </summary>
/// <remarks>
/// Kept in memory, not in the database: an address without an account has no row, and making
/// rows for guessed addresses would let anyone fill the database. The cache is bounded; the
/// rate limiter on the sign-in form bounds how fast one network can add to it.
/// </remarks>
public sealed class AccountlessSignInLockout(TimeProvider clock, IOptions<IdentityOptions> identity) : IDisposable
{
    private const int MaxAddresses = 100_000;

    private readonly MemoryCache failures = new(new MemoryCacheOptions { SizeLimit = MaxAddresses });

    private LockoutOptions Options => identity.Value.Lockout;

    public bool IsLockedOut(string email) =>
        failures.TryGetValue(Key(email), out Entry? entry) && entry!.IsLocked(clock.GetUtcNow());

    /// <summary>Counts a failed attempt; true when this attempt locks the address.</summary>
    public bool RecordFailure(string email)
    {
        var entry = failures.GetOrCreate(Key(email), e =>
        {
            e.Size = 1;
            // Forgotten after a day without attempts, so the cache does not keep every address ever tried.
            e.SlidingExpiration = TimeSpan.FromDays(1);
            return new Entry();
        })!;
        return entry.Fail(clock.GetUtcNow(), Options.MaxFailedAccessAttempts, Options.DefaultLockoutTimeSpan);
    }

    public void Dispose() => failures.Dispose();

    private static string Key(string email) => email.Trim().ToUpperInvariant();

    private sealed class Entry
    {
        private readonly Lock gate = new();
        private int count;
        private DateTimeOffset lockedUntil;

        public bool IsLocked(DateTimeOffset now)
        {
            lock (gate)
            {
                return lockedUntil >= now;
            }
        }

        public bool Fail(DateTimeOffset now, int limit, TimeSpan duration)
        {
            lock (gate)
            {
                if (++count < limit)
                {
                    return false;
                }

                count = 0;
                lockedUntil = now + duration;
                return true;
            }
        }
    }
}

using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Portal.Domain.Content;
using Portal.Web.Data;

namespace Portal.Web.Features.SyntheticData;

/// <summary>
/// What every part of the synthetic data shares: the content, the day it is made on, the batch
/// (one per run on the same database), the seed, and the one password hash all synthetic
/// users get (PBKDF2 per user would take minutes for 10,000 owners).
/// </summary>
internal sealed class SyntheticContext(
    PortalContent content, DateTime anchor, int batch, int seed, string passwordHash, ILookupNormalizer normalizer,
    string ownerRoleId, string advisorRoleId, string staffRoleId)
{
    public PortalContent Content => content;

    /// <summary>Midnight UTC of the day the data is made: every date is before it, and the same seed on the same day gives the same data.</summary>
    public DateTime Anchor => anchor;

    public int Batch => batch;

    public string OwnerRoleId => ownerRoleId;

    public string AdvisorRoleId => advisorRoleId;

    public string StaffRoleId => staffRoleId;

    /// <summary>
    /// An independent random source for one part (a firm by its number; the world is -1), so
    /// parts can be made in parallel, in any order, and still come out the same for a seed.
    /// </summary>
    public Random RandomFor(int part)
    {
        var h = ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ (((ulong)(uint)batch << 32) | (uint)part);
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return new Random((int)h);
    }

    public Guid Guid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // a version 4 (random) id, as Guid.NewGuid makes
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>Stands for the SHA-256 of an invitation token nobody holds (the link was never sent).</summary>
    public string TokenHash(Random random)
    {
        Span<byte> bytes = stackalloc byte[32];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Names that must be unique get the batch number from the second batch on.</summary>
    public string Named(string name) => batch == 1 ? name : $"{name} {batch}";

    public string Email(string local) => SyntheticDataSeeder.Email(local, batch);

    public PortalUser NewUser(string local, Random random)
    {
        var email = Email(local);
        return new PortalUser
        {
            Id = Guid(random).ToString(),
            UserName = email,
            NormalizedUserName = normalizer.NormalizeName(email),
            Email = email,
            NormalizedEmail = normalizer.NormalizeEmail(email),
            EmailConfirmed = true,
            PasswordHash = passwordHash,
            // Secrets of their own (tokens are made from the stamp), so not from the seed.
            SecurityStamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(20)),
            ConcurrencyStamp = System.Guid.NewGuid().ToString(),
            LockoutEnabled = true,
            TimeZoneId = random.Next(5) == 0 ? null : SyntheticNames.TimeZones[random.Next(SyntheticNames.TimeZones.Length)],
        };
    }
}

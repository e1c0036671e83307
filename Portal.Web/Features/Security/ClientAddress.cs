using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Portal.Web.Features.Security;

/// <summary>The network a request comes from, as rate limits count it.</summary>
public static class ClientAddress
{
    /// <summary>
    /// The IPv4 address, or the /64 prefix of an IPv6 address: one household or office is
    /// usually given a whole /64, so counting single IPv6 addresses would let one machine
    /// step around a limit by changing its address.
    /// </summary>
    /// <remarks>
    /// The portal reads the connection's own address. Behind a reverse proxy every request
    /// would come from the proxy: configure forwarded headers for the proxy first, or the
    /// limits apply to everyone together.
    /// </remarks>
    public static string PartitionKey(HttpContext context) => PartitionKey(context.Connection.RemoteIpAddress);

    public static string PartitionKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return string.Create(CultureInfo.InvariantCulture, $"{new IPAddress(bytes)}/64");
    }
}

using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.HttpOverrides;

namespace HealthCode.Api.Infrastructure.Http;

/// <summary>
/// Who a request comes from, as the per-address limits count it: the connection's peer, or, only when that
/// peer is one of <c>HealthCode:Network:TrustedProxies</c>, the client its <c>X-Forwarded-For</c> names
/// (ASP.NET Core's forwarded-headers middleware). A header from anyone else is ignored, so a client cannot
/// choose the address it is counted under.
/// </summary>
internal static class ClientAddress
{
    /// <summary>The key of an address unknown to the server (no socket peer): all such requests share one budget.</summary>
    public const string Unknown = "unknown";

    public static IServiceCollection AddClientAddress(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<HealthCodeOptions>>((forwarded, options) =>
        {
            // With no proxy listed the middleware would trust every peer, not none: then it reads no header at all.
            var trusted = options.Value.Network.TrustedProxies;
            forwarded.ForwardedHeaders = trusted.Count == 0 ? ForwardedHeaders.None : ForwardedHeaders.XForwardedFor;
            // The framework's defaults trust loopback; here only what is configured is trusted. No hop limit:
            // the middleware walks X-Forwarded-For from the right only while each hop is a trusted proxy.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            forwarded.ForwardLimit = null;
            foreach (var proxy in trusted)
            {
                if (proxy.Contains('/', StringComparison.Ordinal))
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
                }
                else
                {
                    forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
                }
            }
        });
        return services;
    }

    /// <summary>
    /// The partition an address is counted in: an IPv4 address (also when mapped into IPv6), or the /64 an IPv6
    /// address is in, since one subscriber is given a whole /64 or more (RFC 6177 §2) and could otherwise
    /// count as 2^64 clients.
    /// </summary>
    public static string Partition(IPAddress? address)
    {
        if (address is null)
        {
            return Unknown;
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
        return new IPAddress(bytes) + "/64";
    }
}

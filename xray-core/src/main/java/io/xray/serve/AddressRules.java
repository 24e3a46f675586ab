package io.xray.serve;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Decides whether a resolved address is a public unicast address that the server may fetch from.
 * Refused: unspecified, loopback, link-local (which holds the cloud metadata address
 * 169.254.169.254), private (RFC 1918), carrier-grade NAT (100.64/10, also Alibaba's metadata
 * 100.100.100.200), benchmarking, documentation, reserved, broadcast and multicast IPv4; and for
 * IPv6 the unspecified, loopback, link-local, site-local, unique-local (fc00::/7, holding AWS's
 * fd00:ec2::254), multicast, documentation ranges, and any IPv4-mapped, IPv4-compatible, NAT64
 * or 6to4 address whose embedded IPv4 address is refused.
 */
final class AddressRules {

    private AddressRules() {
    }

    /**
     * @param address a resolved address
     * @return null when the address is public, else why it is refused
     */
    static String refusal(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return refusal4(v4.getAddress());
        }
        byte[] a = address.getAddress();
        if (address.isAnyLocalAddress()) {
            return "unspecified address";
        }
        if (address.isLoopbackAddress()) {
            return "loopback address";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local address";
        }
        if (address.isSiteLocalAddress()) {
            return "site-local address";
        }
        if (address.isMulticastAddress()) {
            return "multicast address";
        }
        if ((a[0] & 0xFE) == 0xFC) {
            return "unique-local (private) IPv6 address";
        }
        if ((a[0] & 0xFF) == 0x20 && (a[1] & 0xFF) == 0x01 && (a[2] & 0xFF) == 0x0D && (a[3] & 0xFF) == 0xB8) {
            return "documentation address";
        }
        boolean firstTenZero = true;
        for (int i = 0; i < 10; i++) {
            firstTenZero &= a[i] == 0;
        }
        if (firstTenZero && ((a[10] == (byte) 0xFF && a[11] == (byte) 0xFF) || (a[10] == 0 && a[11] == 0))) {
            String embedded = refusal4(new byte[] {a[12], a[13], a[14], a[15]});
            return embedded == null ? null : "IPv4-mapped/compatible " + embedded;
        }
        if ((a[0] & 0xFF) == 0x00 && (a[1] & 0xFF) == 0x64 && (a[2] & 0xFF) == 0xFF && (a[3] & 0xFF) == 0x9B) {
            String embedded = refusal4(new byte[] {a[12], a[13], a[14], a[15]});
            return embedded == null ? null : "NAT64 " + embedded;
        }
        if ((a[0] & 0xFF) == 0x20 && (a[1] & 0xFF) == 0x02) {
            String embedded = refusal4(new byte[] {a[2], a[3], a[4], a[5]});
            return embedded == null ? null : "6to4 " + embedded;
        }
        return null;
    }

    private static String refusal4(byte[] a) {
        int b0 = a[0] & 0xFF;
        int b1 = a[1] & 0xFF;
        int b2 = a[2] & 0xFF;
        if (b0 == 0) {
            return "unspecified/\"this network\" address";
        }
        if (b0 == 127) {
            return "loopback address";
        }
        if (b0 == 169 && b1 == 254) {
            return "link-local address (cloud metadata range)";
        }
        if (b0 == 10 || (b0 == 172 && b1 >= 16 && b1 <= 31) || (b0 == 192 && b1 == 168)) {
            return "private address";
        }
        if (b0 == 100 && b1 >= 64 && b1 <= 127) {
            return "carrier-grade NAT address";
        }
        if (b0 == 192 && b1 == 0 && (b2 == 0 || b2 == 2)) {
            return "reserved IETF/documentation address";
        }
        if ((b0 == 198 && (b1 == 18 || b1 == 19)) || (b0 == 198 && b1 == 51 && b2 == 100) || (b0 == 203 && b1 == 0 && b2 == 113)) {
            return "benchmarking/documentation address";
        }
        if (b0 >= 224) {
            return "multicast, reserved or broadcast address";
        }
        return null;
    }

    /** Parses an IP literal without any DNS lookup (for tests and redirects). */
    static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    static boolean isIpv6(InetAddress address) {
        return address instanceof Inet6Address;
    }
}

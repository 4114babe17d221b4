package io.credence.diameter.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A block of addresses in CIDR notation ({@code 10.20.0.0/16}, {@code 2001:db8::/32}, or one
 * address alone), for the list of sources allowed to open a Diameter connection.
 */
public record AddressRange(byte[] network, int prefixLength) {
    public AddressRange {
        if (network == null || (network.length != 4 && network.length != 16)) {
            throw new IllegalArgumentException("a network address has 4 or 16 bytes");
        }
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix length must be 0.." + network.length * 8 + ", was " + prefixLength);
        }
        network = network.clone();
    }

    /**
     * Parses {@code ADDRESS[/PREFIX]} where ADDRESS is a literal IPv4 or IPv6 address (never a
     * host name: a name would be looked up, and the answer could change under us).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static AddressRange parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!address.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address or CIDR block");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress(); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address or CIDR block");
        }
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            String digits = text.substring(slash + 1);
            if (!digits.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be a number");
            }
            prefix = Integer.parseInt(digits);
            if (prefix > bytes.length * 8) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be 0.." + bytes.length * 8);
            }
        }
        return new AddressRange(bytes, prefix);
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (candidate[full] & mask) == (network[full] & mask);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AddressRange r && r.prefixLength == prefixLength
                && java.util.Arrays.equals(r.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}

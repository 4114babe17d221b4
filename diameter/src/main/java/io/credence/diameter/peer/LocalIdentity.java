package io.credence.diameter.peer;

import java.util.List;

/**
 * Who this node is in capabilities exchange: Origin-Host/Realm, its addresses, Vendor-Id,
 * Product-Name and Firmware-Revision.
 */
public record LocalIdentity(String originHost, String originRealm, List<byte[]> hostIpAddresses, long vendorId,
                            String productName, long firmwareRevision) {
    public LocalIdentity {
        if (originHost == null || originHost.isBlank() || originRealm == null || originRealm.isBlank()) {
            throw new IllegalArgumentException("originHost and originRealm are required");
        }
        hostIpAddresses = List.copyOf(hostIpAddresses);
        if (hostIpAddresses.isEmpty()) {
            throw new IllegalArgumentException("at least one Host-IP-Address is required");
        }
        for (byte[] ip : hostIpAddresses) {
            if (ip.length != 4 && ip.length != 16) {
                throw new IllegalArgumentException("a Host-IP-Address has 4 or 16 bytes");
            }
        }
    }
}

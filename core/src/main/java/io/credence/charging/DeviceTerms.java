package io.credence.charging;

import io.credence.ledger.Ids;
import io.credence.ledger.ServiceRef;

/**
 * How device quota is granted (the server's configuration, carried in each command so a replay
 * grants as the live engine did): the default and largest grant, how long a grant holds, the
 * service it is charged as, and who is paid.
 */
public record DeviceTerms(long grantBytesDefault, long grantBytesMax, long grantTtlMillis, ServiceRef service,
                          String systemAccountId) {
    public DeviceTerms {
        if (grantBytesDefault <= 0 || grantBytesMax < grantBytesDefault || grantTtlMillis <= 0 || service == null) {
            throw new IllegalArgumentException("need 0 < grantBytesDefault <= grantBytesMax, a ttl and a service");
        }
        Ids.requireAccountId(systemAccountId, "systemAccountId");
    }
}

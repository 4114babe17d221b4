package io.credence.charging;

import io.credence.ledger.IdentityType;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.rating.NetworkType;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One charging request, whatever protocol carried it (a Diameter CCR, an Nchf create, update or
 * release): the engine applies it as one command and answers a {@link ChargingOutcome}. Adapters
 * map their wire format to this and the outcome back; nothing protocol-specific is in here.
 *
 * @param sessionId      the session (Diameter Session-Id, "nchf;" + ChargingDataRef)
 * @param kind           initial, update, terminate or event
 * @param number         the request's number within its session (CC-Request-Number), or
 *                       {@link #NUMBER_NEXT} for an adapter whose client does not number its
 *                       requests reliably (Nchf): the engine numbers those itself
 * @param clientNumber   the client's own number of the request (Nchf invocationSequenceNumber), -1
 *                       when it has none: with {@code retransmission} it tells which request is repeated
 * @param digest         a digest of the request as the client sent it, 0 when not known: a request
 *                       with the digest of the session's last one is a retry and gets its answer
 * @param retransmission the client says it repeats its last request (Diameter T flag,
 *                       Nchf retransmissionIndicator)
 * @param action         for an event: what to do (debit, refund, check the balance, price)
 * @param identities     who the subscriber is, in the order to try (INITIAL and EVENT need one)
 * @param serviceContext the service context's root ({@code 32251@3gpp.org}), for default grants
 * @param services       one entry per service (MSCC, multipleUnitUsage), at most {@link #SERVICES_MAX}
 * @param attributes     what rating rules look at (network, terminal, roaming, outlet)
 * @param origin         where the request came from: for usage records and server-initiated requests
 */
public record ChargingRequest(String sessionId, Kind kind, long number, long clientNumber, long digest,
                              boolean retransmission,
                              EventAction action, List<Identity> identities, String serviceContext,
                              List<ServiceUsage> services, Attributes attributes, Origin origin) {
    /** Requests are numbered by the engine (an Nchf consumer's own numbers cannot be trusted). */
    public static final long NUMBER_NEXT = -1;
    /** Unsigned32, as CC-Request-Number. */
    public static final long NUMBER_MAX = 0xFFFF_FFFFL;
    public static final int SESSION_ID_LENGTH_MAX = 512;
    public static final int SERVICES_MAX = 64;
    public static final int IDENTITIES_MAX = 8;
    public static final int TEXT_LENGTH_MAX = 256;

    public enum Kind { INITIAL, UPDATE, TERMINATE, EVENT }

    /** RFC 4006 Requested-Action; {@link #NONE} outside events. */
    public enum EventAction { NONE, DIRECT_DEBITING, REFUND_ACCOUNT, CHECK_BALANCE, PRICE_ENQUIRY }

    /** A subscriber identity as the network sent it (already in the form identities are bound in). */
    public record Identity(IdentityType type, String value) {
        public Identity {
            if (type == null || value == null || value.isEmpty() || value.length() > IdentityType.VALUE_LENGTH_MAX) {
                throw new IllegalArgumentException("an identity needs a type and a value of 1.."
                        + IdentityType.VALUE_LENGTH_MAX + " characters");
            }
        }
    }

    /**
     * One service of the request.
     *
     * @param key       rating group, service id and (Nchf) UPF: what a grant is held under
     * @param requested amounts asked for by unit; null when nothing is asked, empty for "the default grant"
     * @param used      amounts used since the last report, by unit; null when nothing is reported
     * @param qos       what the service asks of layered admission, or null
     */
    public record ServiceUsage(ServiceKey key, Map<Unit, Long> requested, Map<Unit, Long> used, Qos qos) {
        public ServiceUsage {
            if (key == null) {
                throw new IllegalArgumentException("a service needs its key");
            }
            requested = amounts(requested, "requested");
            used = amounts(used, "used");
        }

        public ServiceRef service() {
            return key.service();
        }

        private static Map<Unit, Long> amounts(Map<Unit, Long> amounts, String what) {
            if (amounts == null) {
                return null;
            }
            EnumMap<Unit, Long> copy = new EnumMap<>(Unit.class);
            for (Map.Entry<Unit, Long> e : amounts.entrySet()) {
                if (e.getKey() == null || e.getValue() == null || e.getValue() < 0) {
                    throw new IllegalArgumentException(what + " amounts must be >= 0 and name their unit");
                }
                copy.put(e.getKey(), e.getValue());
            }
            return java.util.Collections.unmodifiableMap(copy);
        }
    }

    /**
     * QoS a service asks for (Diameter QoS-Information): the latency class (QCI) and the larger of
     * the requested bandwidths, each -1 when not given.
     */
    public record Qos(long latencyClass, long bandwidthKbps) {}

    /**
     * What the network says about the call's two ends, before the catalog turns it into terminals:
     * the served end's network and IMEI(SV), the network it visits (MCC+MNC digits, to tell
     * roaming against its IMSI), the other end's network once it answered, whether the request
     * comes from the node serving the called party, and the outlet (outgoing trunk group). Any may
     * be null (unknown).
     */
    public record Attributes(NetworkType servedNetwork, String servedImei, String visitedPlmn,
                             NetworkType otherNetwork, boolean terminating, String outlet) {
        public static final Attributes NONE = new Attributes(null, null, null, null, false, null);

        public Attributes {
            for (String text : new String[] {servedImei, visitedPlmn, outlet}) {
                if (text != null && text.length() > TEXT_LENGTH_MAX) {
                    throw new IllegalArgumentException("an attribute is at most " + TEXT_LENGTH_MAX + " characters");
                }
            }
        }
    }

    /**
     * Where the request came from.
     *
     * @param interfaceName      "diameter", "nchf": what usage records name as their origin
     * @param peerHost           where requests of the server's own go (RAR and ASR, ChargingNotify): the
     *                           Diameter peer it arrived over, or an Nchf consumer's notifyUri; "" for none
     * @param clientHost         the client itself (Origin-Host: behind a relay it differs from the peer)
     * @param clientRealm        the client's realm
     * @param applicationVendor  how the client names credit control: -1 bare Auth-Application-Id,
     *                           else the Vendor-Id of its Vendor-Specific-Application-Id
     */
    public record Origin(String interfaceName, String peerHost, String clientHost, String clientRealm,
                         long applicationVendor) {
        public static final Origin NONE = new Origin("engine", "", "", "", -1);

        public Origin {
            for (String text : new String[] {interfaceName, peerHost, clientHost, clientRealm}) {
                if (text == null || text.length() > TEXT_LENGTH_MAX) {
                    throw new IllegalArgumentException("origin fields are 0.." + TEXT_LENGTH_MAX + " characters");
                }
            }
        }
    }

    /**
     * The service context without the operator's prefix: TS 32.299 7.1.12 lets a client write
     * {@code [[[[extensions.]MNC.]MCC.]Release.]service-context@domain}, and Kamailio sends
     * {@code ext.01.001.8.32260@3gpp.org}; what names the service is {@code 32260@3gpp.org}.
     */
    public static String serviceContextRoot(String serviceContextId) {
        int at = serviceContextId.indexOf('@');
        if (at < 0) {
            return serviceContextId;
        }
        int dot = serviceContextId.lastIndexOf('.', at);
        return dot < 0 ? serviceContextId : serviceContextId.substring(dot + 1);
    }

    public ChargingRequest {
        if (sessionId == null || sessionId.isEmpty() || sessionId.length() > SESSION_ID_LENGTH_MAX) {
            throw new IllegalArgumentException("sessionId must be 1.." + SESSION_ID_LENGTH_MAX + " characters");
        }
        if (kind == null || action == null) {
            throw new IllegalArgumentException("kind and action are required");
        }
        if ((kind == Kind.EVENT) == (action == EventAction.NONE)) {
            throw new IllegalArgumentException("an event names its action, other kinds do not");
        }
        if (number != NUMBER_NEXT && (number < 0 || number > NUMBER_MAX)) {
            throw new IllegalArgumentException("number must be 0.." + NUMBER_MAX + " or NUMBER_NEXT, was " + number);
        }
        if (clientNumber < -1 || clientNumber > NUMBER_MAX) {
            throw new IllegalArgumentException("clientNumber must be -1.." + NUMBER_MAX + ", was " + clientNumber);
        }
        identities = List.copyOf(identities);
        services = List.copyOf(services);
        if (identities.size() > IDENTITIES_MAX || services.size() > SERVICES_MAX) {
            throw new IllegalArgumentException("at most " + IDENTITIES_MAX + " identities and " + SERVICES_MAX
                    + " services");
        }
        if (serviceContext == null || serviceContext.length() > TEXT_LENGTH_MAX) {
            throw new IllegalArgumentException("serviceContext is required, at most " + TEXT_LENGTH_MAX + " characters");
        }
        attributes = attributes == null ? Attributes.NONE : attributes;
        origin = origin == null ? Origin.NONE : origin;
    }
}

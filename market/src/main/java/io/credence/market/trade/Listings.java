package io.credence.market.trade;

import io.credence.ledger.Ids;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Entry;
import io.credence.market.contract.Offer;
import io.credence.market.contract.OfferRanking;
import io.credence.market.contract.ProviderRegistration;
import io.credence.market.contract.Signature;
import io.credence.market.contract.Signed;
import io.credence.market.contract.Withdrawal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Mode A of the marketplace: the relay providers and the offers they publish and withdraw, and
 * discovery of the live ones. The registered keys are also what the other capabilities check a
 * buyer's request and a contract's parties against ({@link #signedBy}, {@link #partyKeys}).
 */
final class Listings {
    static final int PROVIDERS_MAX = 1_000_000;
    static final int OFFERS_MAX = 1_000_000;

    /** The marketplace's lock, shared by every capability: each change goes on the log under it. */
    private final ReentrantLock lock;
    private final LogAppender appender;
    private final LongSupplier clockMillis;
    // written under lock; providers and offersByHash are also read without it by a proposal's
    // checks, which the admission under the lock repeats
    private final Map<String, Provider> providers = new ConcurrentHashMap<>();
    private final Map<String, Listed> offers = new LinkedHashMap<>();
    private final Map<String, Long> withdrawn = new LinkedHashMap<>();
    /** Live offers by the hash of their entry, as contracts name them. */
    private final Map<String, Listed> offersByHash = new ConcurrentHashMap<>();

    Listings(ReentrantLock lock, LogAppender appender, LongSupplier clockMillis) {
        this.lock = lock;
        this.appender = appender;
        this.clockMillis = clockMillis;
    }

    /** See {@link Marketplace#register}. */
    Registration register(String providerId, String terminalId, byte[] publicKey) {
        lock.lock();
        try {
            Provider known = providers.get(providerId);
            if (known != null) {
                if (publicKey != null && !Arrays.equals(publicKey, known.publicKey())) {
                    return new Registration.Refused("provider '" + providerId + "' is registered with another key");
                }
                return new Registration.Registered(known, null, true);
            }
            if (providers.size() >= PROVIDERS_MAX) {
                return new Registration.Refused("the marketplace holds " + PROVIDERS_MAX + " providers already");
            }
            Ed25519.KeyPair generated = publicKey == null ? Ed25519.generate(new java.security.SecureRandom()) : null;
            byte[] key = publicKey != null ? publicKey : generated.publicKey();
            ProviderRegistration entry = new ProviderRegistration(providerId, serviceIdOf(providerId, terminalId), key,
                    clockMillis.getAsLong());
            appender.appendAsMarket(entry);
            Provider provider = providers.get(providerId);
            return new Registration.Registered(provider, generated == null ? null : generated.seed(), false);
        } finally {
            lock.unlock();
        }
    }

    Publication publish(byte[] signedOffer) {
        Decoded<Offer> decoded = Decoded.of(signedOffer, Offer.class, "offer");
        if (decoded.problem() != null) {
            return new Publication.Refused("signedOffer", decoded.problem());
        }
        Signed<Offer> offer = decoded.signed();
        String notASegment = Ids.pathSegmentProblem(offer.entry().offerId());
        if (notASegment != null) {
            // ids are checked for the URL path when they are new, not when the log replays them
            return new Publication.Refused("signedOffer", "offerId " + notASegment);
        }
        lock.lock();
        try {
            Offer o = offer.entry();
            Listed known = offers.get(o.offerId());
            if (known != null) {
                return Arrays.equals(known.offer().encode(), offer.encode())
                        ? new Publication.Published(o.offerId(), known.logIndex(), true)
                        : new Publication.Refused("signedOffer", "offer id '" + o.offerId() + "' is taken");
            }
            if (withdrawn.containsKey(o.offerId())) {
                return new Publication.Refused("signedOffer", "offer '" + o.offerId() + "' was withdrawn; use a new id");
            }
            String problem = signedByProvider(offer, o.providerId(), o.serviceId());
            if (problem != null) {
                return new Publication.Refused("signedOffer", problem);
            }
            if (o.periodEndMillis() <= clockMillis.getAsLong()) {
                return new Publication.Refused("signedOffer", "the offer's period is over");
            }
            if (offers.size() >= OFFERS_MAX) {
                return new Publication.Refused("signedOffer", "the marketplace lists " + OFFERS_MAX + " offers already");
            }
            long index = appender.append(offer);
            return new Publication.Published(o.offerId(), index, false);
        } finally {
            lock.unlock();
        }
    }

    Publication withdraw(byte[] signedWithdrawal) {
        Decoded<Withdrawal> decoded = Decoded.of(signedWithdrawal, Withdrawal.class, "withdrawal");
        if (decoded.problem() != null) {
            return new Publication.Refused("signedWithdrawal", decoded.problem());
        }
        Signed<Withdrawal> withdrawal = decoded.signed();
        lock.lock();
        try {
            Withdrawal w = withdrawal.entry();
            Long already = withdrawn.get(w.offerId());
            if (already != null) {
                return new Publication.Published(w.offerId(), already, true);
            }
            Listed listed = offers.get(w.offerId());
            if (listed == null) {
                return new Publication.Refused("signedWithdrawal", "no offer '" + w.offerId() + "' is listed");
            }
            if (!listed.offer().entry().providerId().equals(w.providerId())) {
                return new Publication.Refused("signedWithdrawal", "offer '" + w.offerId() + "' is not provider '"
                        + w.providerId() + "''s");
            }
            String problem = signedByProvider(withdrawal, w.providerId(), null);
            if (problem != null) {
                return new Publication.Refused("signedWithdrawal", problem);
            }
            long index = appender.append(withdrawal);
            return new Publication.Published(w.offerId(), index, false);
        } finally {
            lock.unlock();
        }
    }

    Optional<Provider> provider(String providerId) {
        lock.lock();
        try {
            return Optional.ofNullable(providers.get(providerId));
        } finally {
            lock.unlock();
        }
    }

    /** See {@link Marketplace#offers}: the live ones are taken under the lock, ranked outside it. */
    List<Listed> offers(OfferRanking.Needs needs, OfferRanking.Weights weights, int limit) {
        List<Listed> live;
        lock.lock();
        try {
            long now = clockMillis.getAsLong();
            live = offers.values().stream().filter(l -> l.offer().entry().periodEndMillis() > now).toList();
        } finally {
            lock.unlock();
        }
        if (needs == null) {
            return live.stream().limit(limit).toList();
        }
        Map<String, Listed> byId = new LinkedHashMap<>();
        live.forEach(l -> byId.put(l.offer().entry().offerId(), l));
        List<Listed> ranked = new ArrayList<>();
        for (OfferRanking.Ranked r : OfferRanking.rank(live.stream().map(l -> l.offer().entry()).toList(), needs, weights)) {
            Listed l = byId.get(r.offer().offerId());
            ranked.add(new Listed(l.offer(), l.logIndex(), r.score()));
            if (ranked.size() == limit) {
                break;
            }
        }
        return ranked;
    }

    Optional<Signed<Offer>> liveOffer(String offerId) {
        lock.lock();
        try {
            return Optional.ofNullable(offers.get(offerId)).map(Listed::offer);
        } finally {
            lock.unlock();
        }
    }

    /** The listed offer {@code offerId}, or null; the caller holds the lock. */
    Listed listed(String offerId) {
        return offers.get(offerId);
    }

    /**
     * The listed offer whose entry hashes to {@code offerHash} (as a contract names it), or null.
     * Safe without the lock: a proposal's checks read it before the admission looks again under it.
     */
    Listed withHash(byte[] offerHash) {
        return offersByHash.get(HexFormat.of().formatHex(offerHash));
    }

    /** The registered keys of the contract's parties (those registered); safe without the lock, as {@link #withHash}. */
    Map<String, byte[]> partyKeys(Contract c) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (String party : List.of(c.providerId(), c.buyerId())) {
            Provider p = providers.get(party);
            if (p != null) {
                keys.put(party, p.publicKey());
            }
        }
        return keys;
    }

    /** Why the entry is not signed by {@code providerId}'s registered key (and only by it), or null. */
    String signedByProvider(Signed<? extends Entry> signed, String providerId, String serviceId) {
        return signedBy(signed, providerId, serviceId, "provider");
    }

    /** As above for any party; {@code role} names it in the answer ("provider", "buyer"). */
    String signedBy(Signed<? extends Entry> signed, String providerId, String serviceId, String role) {
        Provider provider = providers.get(providerId);
        if (provider == null) {
            return role + " '" + providerId + "' is not registered";
        }
        if (serviceId != null && !serviceId.equals(provider.serviceId())) {
            return "service id '" + serviceId + "' is not " + role + " '" + providerId + "''s (" + provider.serviceId() + ")";
        }
        List<Signature> by = signed.by(providerId);
        if (by.size() != 1 || signed.signatures().size() != 1) {
            return "needs exactly one signature, by " + role + " '" + providerId + "'";
        }
        Signature signature = by.getFirst();
        if (!signature.hasKey(provider.publicKey())) {
            return "signed with a key that is not " + role + " '" + providerId + "''s registered key";
        }
        if (!signature.verifies(signed.entry().encode())) {
            return "the " + role + "'s signature does not verify (forged, or the entry changed after signing)";
        }
        return null;
    }

    /** A registration is on the log at {@code index}. */
    void registered(ProviderRegistration r, long index) {
        providers.put(r.providerId(), new Provider(r.providerId(), terminalOf(r.serviceId()), r.serviceId(),
                r.publicKey(), index));
    }

    /** An offer is on the log at {@code index}: discoverable, and contracts may name it by its hash. */
    void listed(Signed<Offer> offer, long index) {
        Listed listed = new Listed(offer, index, 0);
        offers.put(offer.entry().offerId(), listed);
        offersByHash.put(HexFormat.of().formatHex(offer.entry().hash()), listed);
    }

    /**
     * A withdrawal is on the log at {@code index}. The id stays taken: publishing it again is
     * refused, withdrawing it again answers this withdrawal.
     */
    void unlisted(Withdrawal w, long index) {
        Listed gone = offers.remove(w.offerId());
        if (gone != null) {
            offersByHash.remove(HexFormat.of().formatHex(gone.offer().entry().hash()));
        }
        withdrawn.put(w.offerId(), index);
    }

    /** The service identifier a provider's terminal gets: readable, and the same on every registration. */
    static String serviceIdOf(String providerId, String terminalId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    (providerId + "/" + terminalId).getBytes(StandardCharsets.UTF_8));
            return "relay." + terminalId + "." + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String terminalOf(String serviceId) {
        return serviceId.substring("relay.".length(), serviceId.lastIndexOf('.'));
    }
}

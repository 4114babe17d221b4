package io.credence.charging.simulation;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingRequest;
import io.credence.charging.EngineConfig;
import io.credence.ledger.AccountKind;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.BucketSpec;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceFilter;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.CatalogException;
import io.credence.rating.NetworkType;
import io.credence.rating.OutletPolicy;
import io.credence.rating.Rule;
import io.credence.rating.Tariff;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a simulated operator has: subscribers with balances in every unit (some with credit
 * limits, some with buckets for a rating group that expire), and two catalogs to reload between.
 * Data (rating groups 10 and 11) is never in a catalog: it is charged in bytes, unrated. Voice
 * (100), video (20) and SMS (200) are rated: from their own units first, then money at a tariff.
 */
final class SimWorld {
    static final long DATA_RG = 10;
    static final long DATA_RG_2 = 11;
    static final long VIDEO_RG = 20;
    static final long VOICE_RG = 100;
    static final long SMS_RG = 200;
    static final List<String> UPFS = List.of("upf-a", "upf-b");

    private SimWorld() {}

    static String accountId(int i) {
        return "sim-a" + i;
    }

    static String msisdn(int i) {
        return "4917000" + String.format("%05d", i);
    }

    static String imsi(int i) {
        return "26201" + String.format("%010d", i);
    }

    static List<ChargingRequest.Identity> identities(int i) {
        return List.of(new ChargingRequest.Identity(IdentityType.E164, msisdn(i)),
                new ChargingRequest.Identity(IdentityType.IMSI, imsi(i)));
    }

    /** The commands that create the subscribers: accounts, identities, balances, buckets. */
    static List<Command> subscribers(SplitMix64 random, int count, long nowMillis) {
        List<Command> commands = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String account = accountId(i);
            Map<Unit, Long> limits = new EnumMap<>(Unit.class);
            if (random.percent(30)) {
                limits.put(Unit.MONEY, random.between(100, 2_000));
            }
            if (random.percent(20)) {
                limits.put(Unit.BYTES, random.between(10_000, 200_000));
            }
            commands.add(new Command("setup:create:" + i, new Operation.CreateAccount(account, AccountKind.SUBSCRIBER,
                    limits)));
            commands.add(new Command("setup:msisdn:" + i, new Operation.BindIdentity(IdentityType.E164, msisdn(i),
                    account)));
            commands.add(new Command("setup:imsi:" + i, new Operation.BindIdentity(IdentityType.IMSI, imsi(i),
                    account)));
            long[] amounts = {random.between(0, 3_000_000), random.between(0, 900), random.between(0, 10),
                random.between(0, 5_000)};
            Unit[] units = {Unit.BYTES, Unit.SECONDS, Unit.SERVICE_UNITS, Unit.MONEY};
            for (int u = 0; u < units.length; u++) {
                if (amounts[u] > 0) {
                    commands.add(new Command("setup:topup:" + i + ":" + u, new Operation.TopUp(Ids.SYSTEM_ACCOUNT,
                            account, units[u], amounts[u], null)));
                }
            }
            if (random.percent(40)) {
                long until = nowMillis + random.between(60_000, 3_600_000);
                commands.add(new Command("setup:bucket:" + i, new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account,
                        Unit.BYTES, random.between(100_000, 2_000_000),
                        new BucketSpec(0, until, 10, ServiceFilter.ratingGroups(DATA_RG)))));
            }
        }
        return commands;
    }

    /** A top-up of any unit, maybe a bucket; {@code n} makes its request id unique. */
    static Command topUp(SplitMix64 random, int accounts, long n, long nowMillis) {
        int i = random.nextInt(accounts);
        Unit unit = random.pick(List.of(Unit.BYTES, Unit.SECONDS, Unit.SERVICE_UNITS, Unit.MONEY));
        long amount = switch (unit) {
            case BYTES -> random.between(1, 2_000_000);
            case SECONDS -> random.between(1, 600);
            case SERVICE_UNITS -> random.between(1, 10);
            case MONEY -> random.between(1, 3_000);
        };
        BucketSpec bucket = unit == Unit.BYTES && random.percent(30)
                ? new BucketSpec(0, nowMillis + random.between(1_000, 600_000), random.nextInt(20),
                ServiceFilter.ratingGroups(random.percent(50) ? DATA_RG : DATA_RG_2)) : null;
        return new Command("sim:topup:" + n, new Operation.TopUp(Ids.SYSTEM_ACCOUNT, accountId(i), unit, amount, bucket));
    }

    /** An account suspended, or made active again. */
    static Command status(SplitMix64 random, int accounts, long n) {
        int i = random.nextInt(accounts);
        AccountStatus status = random.percent(70) ? AccountStatus.ACTIVE : AccountStatus.SUSPENDED;
        return new Command("sim:status:" + n, new Operation.UpdateAccount(accountId(i), status, null));
    }

    /** The engine's configuration of the run: short validity, so grants lapse and sessions go silent often. */
    static EngineConfig config(SplitMix64 random) {
        return new EngineConfig(Map.of(DATA_RG_2, new EngineConfig.Quota(Unit.BYTES, 200_000)),
                Map.of(EngineConfig.CONTEXT_PS, new EngineConfig.Quota(Unit.BYTES, 500_000),
                        EngineConfig.CONTEXT_5G_DATA, new EngineConfig.Quota(Unit.BYTES, 500_000),
                        EngineConfig.CONTEXT_IMS, new EngineConfig.Quota(Unit.SECONDS, 60),
                        EngineConfig.CONTEXT_SMS, new EngineConfig.Quota(Unit.SERVICE_UNITS, 1)),
                (int) random.between(5, 60), (int) random.between(0, 5), Ids.SYSTEM_ACCOUNT,
                (int) random.between(40, 400), (int) random.between(5, 60), (int) random.between(30, 600));
    }

    /** Catalogs by the name their source holds; the same name always the same catalog. */
    static final CatalogReader CATALOGS = source -> {
        String name = new String(source, StandardCharsets.UTF_8);
        return switch (name) {
            case "sim-catalog-1" -> new CatalogReader.Contents(catalog("sim-1", 1, true), null);
            case "sim-catalog-2" -> new CatalogReader.Contents(catalog("sim-2", 2, false), null);
            default -> throw new CatalogException("catalog", "no simulated catalog " + name);
        };
    };

    static byte[] catalogSource(int variant) {
        return ("sim-catalog-" + variant).getBytes(StandardCharsets.UTF_8);
    }

    private static Catalog catalog(String version, long voicePerSecond, boolean lteFree) {
        Tariff voice = new Tariff("voice", Unit.SECONDS, List.of(new Tariff.Step(Long.MAX_VALUE, 1, voicePerSecond)),
                Tariff.Rounding.UP, 0, Map.of());
        Tariff video = new Tariff("video", Unit.BYTES, List.of(new Tariff.Step(Long.MAX_VALUE, 1_000, 1)),
                Tariff.Rounding.UP, 0, Map.of());
        Tariff sms = new Tariff("sms", Unit.SERVICE_UNITS, List.of(new Tariff.Step(Long.MAX_VALUE, 1, 9)),
                Tariff.Rounding.UP, 0, Map.of());
        List<Rule> rules = new ArrayList<>();
        if (lteFree) {
            rules.add(new Rule("LTE to LTE is free", "voice", Set.of(NetworkType.LTE), null, null,
                    Set.of(NetworkType.LTE), null, null, null, new Rule.Decision.Free()));
        }
        rules.add(new Rule("no voice when roaming", "voice", null, null, Boolean.TRUE, null, null, null, null,
                new Rule.Decision.Deny("roaming voice is barred")));
        rules.add(new Rule("voice", "voice", null, null, null, null, null, null, null, new Rule.Decision.Charge("voice")));
        rules.add(new Rule("video", "video", null, null, null, null, null, null, null, new Rule.Decision.Charge("video")));
        rules.add(new Rule("sms", "sms", null, null, null, null, null, null, null, new Rule.Decision.Charge("sms")));
        return new Catalog(version, "EUR", ZoneId.of("UTC"), Map.of(),
                Map.of("voice", voice, "video", video, "sms", sms),
                Map.of("voice", new Catalog.Service("voice", Unit.SECONDS, Set.of(VOICE_RG), 60, "voice"),
                        "video", new Catalog.Service("video", Unit.BYTES, Set.of(VIDEO_RG), 200_000, "video"),
                        "sms", new Catalog.Service("sms", Unit.SERVICE_UNITS, Set.of(SMS_RG), 1, "sms")),
                rules, Map.of("trunk-intl", new OutletPolicy.Check(500)));
    }
}

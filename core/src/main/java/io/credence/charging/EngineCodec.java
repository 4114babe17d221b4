package io.credence.charging;

import io.credence.ledger.CommandCodec;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Unit;
import io.credence.rating.NetworkType;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Engine commands as journal records, in the ledger's command layout (so journals written before
 * the engine still replay): a request id, a tag byte, the fields. Ledger commands keep their tags
 * (1..12, {@link CommandCodec}); the engine's start at 64 and have an empty request id (a charging
 * request's idempotency is its session's, not the request-id table's):
 *
 * <pre>
 *   64 Charge          sessionId, kind u8, number i64, clientNumber i64, digest i64, retransmission u8,
 *                      action u8, u8 identities { type u8, value }, serviceContext,
 *                      u8 services { rg i64, sid i64, upf?, requested?, used?, qos? },
 *                      attributes { servedNetwork u8, imei?, visitedPlmn?, otherNetwork u8,
 *                                   terminating u8, outlet? },
 *                      origin { interface, peer, clientHost, clientRealm, applicationVendor i64 }
 *   65 InstallCatalog  u32 length, source bytes
 *   66 Configure       u16 rg quotas { rg i64, unit u8, amount i64 }, u16 context quotas { ctx, unit u8,
 *                      amount i64 }, validity i32, grace i32, counterparty, sessionsMax i32,
 *                      closedRetention i32, silentRetention i32
 *   67 SetAdmissionPolicy, 68 Admit, 69 EndAdmission, 70 DeviceGrant, 71 DeviceReports
 *   72 OpenShare       shareId, requestKey, baseStation, supplierSim, supplierAccount, borrowerSim,
 *                      borrowerAccount, bytes i64, allowed u8, maxBytesPerDay i64, price i64, terms
 *   73 MeterShare      shareId, baseStation, totalBytes i64, last u8, terms
 *   74 CancelShare     shareId, simId
 *   75 DeviceGrantByToken    simId, token digest (32 bytes), askedBytes i64, terms
 *   76 DeviceReportsByToken  simId, token digest (32 bytes), terms, u16 reports { seq i64, bytes i64, last u8 }
 *   share terms:       rg i64, sid i64, systemAccount, holdTtl i64, sharesMax i32, endedRetention i64
 *   80..88             the device directory's ({@link DirectoryCodec})
 * </pre>
 *
 * Strings are modified UTF-8 with a u16 length; {@code x?} is a presence byte then x; amounts maps
 * are a u8 count of {unit u8, amount i64}; an absent enum is 0xFF.
 */
public final class EngineCodec {
    static final int CHARGE = 64;
    static final int INSTALL_CATALOG = 65;
    static final int CONFIGURE = 66;
    static final int SET_ADMISSION_POLICY = 67;
    static final int ADMIT = 68;
    static final int END_ADMISSION = 69;
    static final int DEVICE_GRANT = 70;
    static final int DEVICE_REPORTS = 71;
    static final int OPEN_SHARE = 72;
    static final int METER_SHARE = 73;
    static final int CANCEL_SHARE = 74;
    static final int DEVICE_GRANT_BY_TOKEN = 75;
    static final int DEVICE_REPORTS_BY_TOKEN = 76;
    static final int ABSENT = 0xFF;

    private EngineCodec() {}

    public static void write(DataOutput out, EngineCommand command) throws IOException {
        switch (command) {
            case EngineCommand.LedgerCommand c -> CommandCodec.write(out, c.command());
            case DirectoryCommand c -> DirectoryCodec.write(out, c);
            case EngineCommand.Charge c -> {
                out.writeUTF("");
                out.writeByte(CHARGE);
                writeRequest(out, c.request());
            }
            case EngineCommand.InstallCatalog c -> {
                out.writeUTF("");
                out.writeByte(INSTALL_CATALOG);
                byte[] source = c.source();
                out.writeInt(source.length);
                out.write(source);
            }
            case EngineCommand.Configure c -> {
                out.writeUTF("");
                out.writeByte(CONFIGURE);
                writeConfig(out, c.config());
            }
            case EngineCommand.SetAdmissionPolicy c -> {
                out.writeUTF("");
                out.writeByte(SET_ADMISSION_POLICY);
                AdmissionCodec.writePolicy(out, c.policy());
            }
            case EngineCommand.Admit c -> {
                out.writeUTF("");
                out.writeByte(ADMIT);
                out.writeUTF(c.admissionId());
                AdmissionCodec.writeRequest(out, c.request());
                out.writeLong(c.ttlMillis());
                writeOptional(out, c.accountId());
                writeOptional(out, c.counterpartyId());
            }
            case EngineCommand.DeviceGrant c -> {
                out.writeUTF("");
                out.writeByte(DEVICE_GRANT);
                out.writeUTF(c.simId());
                out.writeUTF(c.accountId());
                out.writeLong(c.askedBytes());
                writeTerms(out, c.terms());
            }
            case EngineCommand.DeviceReports c -> {
                out.writeUTF("");
                out.writeByte(DEVICE_REPORTS);
                out.writeUTF(c.simId());
                out.writeUTF(c.accountId());
                out.writeUTF(c.deviceId());
                writeTerms(out, c.terms());
                writeReports(out, c.reports());
            }
            case EngineCommand.DeviceGrantByToken c -> {
                out.writeUTF("");
                out.writeByte(DEVICE_GRANT_BY_TOKEN);
                out.writeUTF(c.simId());
                out.write(c.token().bytes());
                out.writeLong(c.askedBytes());
                writeTerms(out, c.terms());
            }
            case EngineCommand.DeviceReportsByToken c -> {
                out.writeUTF("");
                out.writeByte(DEVICE_REPORTS_BY_TOKEN);
                out.writeUTF(c.simId());
                out.write(c.token().bytes());
                writeTerms(out, c.terms());
                writeReports(out, c.reports());
            }
            case EngineCommand.OpenShare c -> {
                out.writeUTF("");
                out.writeByte(OPEN_SHARE);
                for (String field : new String[] {c.shareId(), c.requestKey(), c.baseStationId(), c.supplierSim(),
                        c.supplierAccount(), c.borrowerSim(), c.borrowerAccount()}) {
                    out.writeUTF(field);
                }
                out.writeLong(c.bytes());
                out.writeBoolean(c.borrowerAllowed());
                out.writeLong(c.maxBytesPerDay());
                out.writeLong(c.priceMinorPerMb());
                writeShareTerms(out, c.terms());
            }
            case EngineCommand.MeterShare c -> {
                out.writeUTF("");
                out.writeByte(METER_SHARE);
                out.writeUTF(c.shareId());
                out.writeUTF(c.baseStationId());
                out.writeLong(c.totalBytes());
                out.writeBoolean(c.last());
                writeShareTerms(out, c.terms());
            }
            case EngineCommand.CancelShare c -> {
                out.writeUTF("");
                out.writeByte(CANCEL_SHARE);
                out.writeUTF(c.shareId());
                out.writeUTF(c.simId());
            }
            case EngineCommand.EndAdmission c -> {
                out.writeUTF("");
                out.writeByte(END_ADMISSION);
                out.writeUTF(c.admissionId());
                out.writeBoolean(c.usage() != null);
                if (c.usage() != null) {
                    out.writeLong(c.usage().bytesMetered());
                    out.writeLong(c.usage().bytesDropped());
                    out.writeLong(c.usage().activeSeconds());
                    out.writeLong(c.usage().wallSeconds());
                }
                writeOptional(out, c.requestId());
            }
        }
    }

    /**
     * Reads one command. {@code bytes} is the whole record (a ledger command is decoded from it by
     * {@link CommandCodec}, as journals have always held them).
     */
    public static EngineCommand read(byte[] bytes, int offset, int length) throws IOException {
        int idLength = ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
        if (length < 3 + idLength) {
            throw new IOException("record too short for its request id");
        }
        int tag = bytes[offset + 2 + idLength] & 0xFF;
        io.credence.ledger.ByteArrayDataInput in = new io.credence.ledger.ByteArrayDataInput(bytes, offset, length);
        EngineCommand command = tag < CHARGE ? new EngineCommand.LedgerCommand(CommandCodec.read(in)) : readEngine(in, tag);
        if (in.remaining() != 0) {
            throw new IOException(in.remaining() + " bytes after the command");
        }
        return command;
    }

    /**
     * The fingerprint a ledger command's request id is remembered with (see
     * {@link CommandCodec#fingerprint}), from its encoded record; 0 for the engine's own commands,
     * which the ledger does not remember by request id.
     */
    public static long ledgerFingerprint(byte[] bytes, int offset, int length) {
        int idLength = ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
        int operation = offset + 2 + idLength;
        if (length < 3 + idLength || (bytes[operation] & 0xFF) >= CHARGE) {
            return 0;
        }
        return CommandCodec.fingerprint(bytes, operation, offset + length - operation);
    }

    /** A command as its journal record holds it. */
    public static byte[] encode(EngineCommand command) {
        io.credence.ledger.ByteArrayDataOutput out = new io.credence.ledger.ByteArrayDataOutput(256);
        try {
            write(out, command);
        } catch (IOException impossible) {
            throw new java.io.UncheckedIOException("in-memory output cannot fail", impossible);
        }
        return java.util.Arrays.copyOf(out.array(), out.size());
    }

    private static EngineCommand readEngine(io.credence.ledger.ByteArrayDataInput in, int tag) throws IOException {
        in.readUTF();
        in.readUnsignedByte();
        try {
            return switch (tag) {
                case CHARGE -> new EngineCommand.Charge(readRequest(in));
                case INSTALL_CATALOG -> {
                    int size = in.readInt();
                    if (size <= 0 || size > EngineCommand.InstallCatalog.SOURCE_BYTES_MAX) {
                        throw new IOException("catalog of " + size + " bytes");
                    }
                    byte[] source = new byte[size];
                    in.readFully(source);
                    yield new EngineCommand.InstallCatalog(source);
                }
                case CONFIGURE -> new EngineCommand.Configure(readConfig(in));
                case SET_ADMISSION_POLICY -> new EngineCommand.SetAdmissionPolicy(AdmissionCodec.readPolicy(in));
                case ADMIT -> new EngineCommand.Admit(in.readUTF(), AdmissionCodec.readRequest(in), in.readLong(),
                        readOptional(in), readOptional(in));
                case DEVICE_GRANT -> new EngineCommand.DeviceGrant(in.readUTF(), in.readUTF(), in.readLong(),
                        readTerms(in));
                case DEVICE_REPORTS -> {
                    String simId = in.readUTF();
                    String accountId = in.readUTF();
                    String deviceId = in.readUTF();
                    DeviceTerms terms = readTerms(in);
                    yield new EngineCommand.DeviceReports(simId, accountId, deviceId, readReports(in), terms);
                }
                case DEVICE_GRANT_BY_TOKEN -> new EngineCommand.DeviceGrantByToken(in.readUTF(), readToken(in),
                        in.readLong(), readTerms(in));
                case DEVICE_REPORTS_BY_TOKEN -> {
                    String simId = in.readUTF();
                    DeviceDirectory.TokenDigest token = readToken(in);
                    DeviceTerms terms = readTerms(in);
                    yield new EngineCommand.DeviceReportsByToken(simId, token, readReports(in), terms);
                }
                case END_ADMISSION -> {
                    String id = in.readUTF();
                    AdmissionUsage usage = in.readBoolean()
                            ? new AdmissionUsage(in.readLong(), in.readLong(), in.readLong(), in.readLong()) : null;
                    yield new EngineCommand.EndAdmission(id, usage, readOptional(in));
                }
                case OPEN_SHARE -> new EngineCommand.OpenShare(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(),
                        in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(), in.readBoolean(), in.readLong(),
                        in.readLong(), readShareTerms(in));
                case METER_SHARE -> new EngineCommand.MeterShare(in.readUTF(), in.readUTF(), in.readLong(),
                        in.readBoolean(), readShareTerms(in));
                case CANCEL_SHARE -> new EngineCommand.CancelShare(in.readUTF(), in.readUTF());
                default -> {
                    if (!DirectoryCodec.isDirectoryTag(tag)) {
                        throw new IOException("unknown engine command tag " + tag);
                    }
                    yield DirectoryCodec.read(in, tag);
                }
            };
        } catch (IllegalArgumentException invalid) {
            throw new IOException("invalid engine command: " + invalid.getMessage(), invalid);
        }
    }

    private static void writeReports(DataOutput out, java.util.List<DeviceAnswers.Report> reports) throws IOException {
        out.writeShort(reports.size());
        for (DeviceAnswers.Report r : reports) {
            out.writeLong(r.seq());
            out.writeLong(r.bytes());
            out.writeBoolean(r.last());
        }
    }

    private static java.util.List<DeviceAnswers.Report> readReports(DataInput in) throws IOException {
        int count = in.readUnsignedShort();
        if (count == 0 || count > EngineCommand.DeviceReports.REPORTS_MAX) {
            throw new IOException(count + " device reports in one command");
        }
        java.util.List<DeviceAnswers.Report> reports = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            reports.add(new DeviceAnswers.Report(in.readLong(), in.readLong(), in.readBoolean()));
        }
        return reports;
    }

    private static DeviceDirectory.TokenDigest readToken(DataInput in) throws IOException {
        byte[] digest = new byte[DeviceDirectory.DIGEST_BYTES];
        in.readFully(digest);
        return new DeviceDirectory.TokenDigest(digest);
    }

    // ---------------------------------------------------------------- charging requests

    static void writeRequest(DataOutput out, ChargingRequest r) throws IOException {
        out.writeUTF(r.sessionId());
        out.writeByte(r.kind().ordinal());
        out.writeLong(r.number());
        out.writeLong(r.clientNumber());
        out.writeLong(r.digest());
        out.writeBoolean(r.retransmission());
        out.writeByte(r.action().ordinal());
        out.writeByte(r.identities().size());
        for (ChargingRequest.Identity identity : r.identities()) {
            out.writeByte(identity.type().ordinal());
            out.writeUTF(identity.value());
        }
        out.writeUTF(r.serviceContext());
        out.writeByte(r.services().size());
        for (ChargingRequest.ServiceUsage s : r.services()) {
            writeKey(out, s.key());
            writeAmounts(out, s.requested());
            writeAmounts(out, s.used());
            out.writeBoolean(s.qos() != null);
            if (s.qos() != null) {
                out.writeLong(s.qos().latencyClass());
                out.writeLong(s.qos().bandwidthKbps());
            }
        }
        ChargingRequest.Attributes a = r.attributes();
        writeEnum(out, a.servedNetwork());
        writeOptional(out, a.servedImei());
        writeOptional(out, a.visitedPlmn());
        writeEnum(out, a.otherNetwork());
        out.writeBoolean(a.terminating());
        writeOptional(out, a.outlet());
        writeOrigin(out, r.origin());
    }

    static ChargingRequest readRequest(DataInput in) throws IOException {
        String sessionId = in.readUTF();
        ChargingRequest.Kind kind = enumOf(ChargingRequest.Kind.values(), in.readUnsignedByte());
        long number = in.readLong();
        long clientNumber = in.readLong();
        long digest = in.readLong();
        boolean retransmission = in.readBoolean();
        ChargingRequest.EventAction action = enumOf(ChargingRequest.EventAction.values(), in.readUnsignedByte());
        int identityCount = in.readUnsignedByte();
        List<ChargingRequest.Identity> identities = new ArrayList<>(identityCount);
        for (int i = 0; i < identityCount; i++) {
            identities.add(new ChargingRequest.Identity(enumOf(IdentityType.values(), in.readUnsignedByte()),
                    in.readUTF()));
        }
        String context = in.readUTF();
        int serviceCount = in.readUnsignedByte();
        List<ChargingRequest.ServiceUsage> services = new ArrayList<>(serviceCount);
        for (int i = 0; i < serviceCount; i++) {
            ServiceKey key = readKey(in);
            Map<Unit, Long> requested = readAmounts(in);
            Map<Unit, Long> used = readAmounts(in);
            ChargingRequest.Qos qos = in.readBoolean() ? new ChargingRequest.Qos(in.readLong(), in.readLong()) : null;
            services.add(new ChargingRequest.ServiceUsage(key, requested, used, qos));
        }
        ChargingRequest.Attributes attributes = new ChargingRequest.Attributes(readEnum(in, NetworkType.values()),
                readOptional(in), readOptional(in), readEnum(in, NetworkType.values()), in.readBoolean(), readOptional(in));
        ChargingRequest.Origin origin = readOrigin(in);
        return new ChargingRequest(sessionId, kind, number, clientNumber, digest, retransmission, action, identities,
                context, services, attributes, origin);
    }

    static void writeKey(DataOutput out, ServiceKey key) throws IOException {
        out.writeLong(key.ratingGroup());
        out.writeLong(key.serviceId());
        writeOptional(out, key.upfId());
    }

    static ServiceKey readKey(DataInput in) throws IOException {
        return ServiceKey.of(in.readLong(), in.readLong(), readOptional(in));
    }

    static void writeOrigin(DataOutput out, ChargingRequest.Origin origin) throws IOException {
        out.writeUTF(origin.interfaceName());
        out.writeUTF(origin.peerHost());
        out.writeUTF(origin.clientHost());
        out.writeUTF(origin.clientRealm());
        out.writeLong(origin.applicationVendor());
    }

    static ChargingRequest.Origin readOrigin(DataInput in) throws IOException {
        return new ChargingRequest.Origin(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readLong());
    }

    static void writeAmounts(DataOutput out, Map<Unit, Long> amounts) throws IOException {
        out.writeBoolean(amounts != null);
        if (amounts != null) {
            out.writeByte(amounts.size());
            for (Map.Entry<Unit, Long> e : amounts.entrySet()) {
                out.writeByte(e.getKey().ordinal());
                out.writeLong(e.getValue());
            }
        }
    }

    static Map<Unit, Long> readAmounts(DataInput in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        int count = in.readUnsignedByte();
        Map<Unit, Long> amounts = new EnumMap<>(Unit.class);
        for (int i = 0; i < count; i++) {
            amounts.put(enumOf(Unit.values(), in.readUnsignedByte()), in.readLong());
        }
        return amounts;
    }

    // ---------------------------------------------------------------- configuration

    static void writeConfig(DataOutput out, EngineConfig c) throws IOException {
        out.writeShort(c.ratingGroupQuotas().size());
        for (var e : new TreeMap<>(c.ratingGroupQuotas()).entrySet()) {
            out.writeLong(e.getKey());
            out.writeByte(e.getValue().unit().ordinal());
            out.writeLong(e.getValue().amount());
        }
        out.writeShort(c.serviceContextQuotas().size());
        for (var e : new TreeMap<>(c.serviceContextQuotas()).entrySet()) {
            out.writeUTF(e.getKey());
            out.writeByte(e.getValue().unit().ordinal());
            out.writeLong(e.getValue().amount());
        }
        out.writeInt(c.validitySeconds());
        out.writeInt(c.graceSeconds());
        out.writeUTF(c.counterpartyAccount());
        out.writeInt(c.sessionsMax());
        out.writeInt(c.closedRetentionSeconds());
        out.writeInt(c.silentRetentionSeconds());
    }

    static EngineConfig readConfig(DataInput in) throws IOException {
        Map<Long, EngineConfig.Quota> rg = new TreeMap<>();
        int rgCount = in.readUnsignedShort();
        for (int i = 0; i < rgCount; i++) {
            rg.put(in.readLong(), new EngineConfig.Quota(enumOf(Unit.values(), in.readUnsignedByte()), in.readLong()));
        }
        Map<String, EngineConfig.Quota> contexts = new TreeMap<>();
        int contextCount = in.readUnsignedShort();
        for (int i = 0; i < contextCount; i++) {
            contexts.put(in.readUTF(), new EngineConfig.Quota(enumOf(Unit.values(), in.readUnsignedByte()),
                    in.readLong()));
        }
        return new EngineConfig(rg, contexts, in.readInt(), in.readInt(), in.readUTF(), in.readInt(), in.readInt(),
                in.readInt());
    }

    // ---------------------------------------------------------------- primitives

    static void writeTerms(DataOutput out, DeviceTerms t) throws IOException {
        out.writeLong(t.grantBytesDefault());
        out.writeLong(t.grantBytesMax());
        out.writeLong(t.grantTtlMillis());
        out.writeLong(t.service().ratingGroup());
        out.writeLong(t.service().serviceId());
        out.writeUTF(t.systemAccountId());
    }

    static DeviceTerms readTerms(DataInput in) throws IOException {
        return new DeviceTerms(in.readLong(), in.readLong(), in.readLong(),
                new io.credence.ledger.ServiceRef(in.readLong(), in.readLong()), in.readUTF());
    }

    static void writeShareTerms(DataOutput out, ShareTerms t) throws IOException {
        out.writeLong(t.service().ratingGroup());
        out.writeLong(t.service().serviceId());
        out.writeUTF(t.systemAccountId());
        out.writeLong(t.holdTtlMillis());
        out.writeInt(t.sharesMax());
        out.writeLong(t.endedRetentionMillis());
    }

    static ShareTerms readShareTerms(DataInput in) throws IOException {
        return new ShareTerms(new io.credence.ledger.ServiceRef(in.readLong(), in.readLong()), in.readUTF(),
                in.readLong(), in.readInt(), in.readLong());
    }

    static void writeOptional(DataOutput out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    static String readOptional(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    static void writeEnum(DataOutput out, Enum<?> value) throws IOException {
        out.writeByte(value == null ? ABSENT : value.ordinal());
    }

    static <E extends Enum<E>> E readEnum(DataInput in, E[] values) throws IOException {
        int ordinal = in.readUnsignedByte();
        return ordinal == ABSENT ? null : enumOf(values, ordinal);
    }

    static <E extends Enum<E>> E enumOf(E[] values, int ordinal) throws IOException {
        if (ordinal < 0 || ordinal >= values.length) {
            throw new IOException("no " + values[0].getDeclaringClass().getSimpleName() + " with ordinal " + ordinal);
        }
        return values[ordinal];
    }
}

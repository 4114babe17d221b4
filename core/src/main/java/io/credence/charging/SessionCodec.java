package io.credence.charging;

import io.credence.admission.AdmissionControl;
import io.credence.admission.AdmissionResult;
import io.credence.admission.ChargingParameters;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.PoolLevel;
import io.credence.admission.QosParameter;
import io.credence.admission.QosRequest;
import io.credence.ledger.Unit;
import io.credence.rating.NetworkType;
import io.credence.rating.RatingRequest;
import io.credence.rating.Tariff;
import io.credence.rating.Terminal;
import io.credence.rating.TerminalType;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.credence.charging.EngineCodec.enumOf;
import static io.credence.charging.EngineCodec.readEnum;
import static io.credence.charging.EngineCodec.readOptional;
import static io.credence.charging.EngineCodec.writeEnum;
import static io.credence.charging.EngineCodec.writeOptional;

/**
 * Sessions, their answers and layered admission's live admissions as bytes, for the engine's
 * snapshot ({@link EngineSnapshot}). A grant keeps its tariff whole, so the price a grant was
 * given at survives a restart and a newer catalog.
 */
final class SessionCodec {
    private SessionCodec() {}

    static void writeSession(DataOutput out, Session s) throws IOException {
        out.writeUTF(s.id);
        out.writeUTF(s.key);
        EngineCodec.writeOrigin(out, s.origin);
        writeOptional(out, s.accountId);
        out.writeByte(s.state.ordinal());
        out.writeLong(s.lastNumber);
        out.writeLong(s.lastClientNumber);
        out.writeLong(s.lastDigest);
        out.writeBoolean(s.lastOutcome != null);
        if (s.lastOutcome != null) {
            writeOutcome(out, s.lastOutcome);
        }
        out.writeLong(s.startedAtMillis);
        out.writeLong(s.touchedAtMillis);
        out.writeLong(s.expiresAtMillis);
        out.writeLong(s.requests);
        out.writeShort(s.grants.size());
        for (var e : s.grants.entrySet()) {
            EngineCodec.writeKey(out, e.getKey());
            writeGrant(out, e.getValue());
        }
    }

    static Session readSession(DataInput in) throws IOException {
        Session s = new Session(in.readUTF(), in.readUTF(), EngineCodec.readOrigin(in));
        s.accountId = readOptional(in);
        s.state = enumOf(Session.State.values(), in.readUnsignedByte());
        s.lastNumber = in.readLong();
        s.lastClientNumber = in.readLong();
        s.lastDigest = in.readLong();
        s.lastOutcome = in.readBoolean() ? readOutcome(in) : null;
        s.startedAtMillis = in.readLong();
        s.touchedAtMillis = in.readLong();
        s.expiresAtMillis = in.readLong();
        s.requests = in.readLong();
        int grants = in.readUnsignedShort();
        for (int i = 0; i < grants; i++) {
            s.grants.put(EngineCodec.readKey(in), readGrant(in));
        }
        return s;
    }

    // ---------------------------------------------------------------- grants and their prices

    private static void writeGrant(DataOutput out, Grant g) throws IOException {
        out.writeLong(g.reservationId());
        out.writeByte(g.unit().ordinal());
        out.writeLong(g.amount());
        out.writeBoolean(g.admitted());
        out.writeBoolean(g.rated() != null);
        if (g.rated() != null) {
            RatedGrant r = g.rated();
            out.writeUTF(r.service());
            out.writeUTF(r.catalogVersion());
            out.writeUTF(r.currency());
            writeRatingRequest(out, r.request());
            writeOptional(out, r.rule());
            out.writeBoolean(r.tariff() != null);
            if (r.tariff() != null) {
                writeTariff(out, r.tariff());
            }
            writeOptional(out, r.band());
            out.writeByte(r.source().ordinal());
            out.writeLong(r.callUnits());
            out.writeLong(r.reserved());
        }
    }

    private static Grant readGrant(DataInput in) throws IOException {
        long reservationId = in.readLong();
        Unit unit = enumOf(Unit.values(), in.readUnsignedByte());
        long amount = in.readLong();
        boolean admitted = in.readBoolean();
        RatedGrant rated = null;
        if (in.readBoolean()) {
            String service = in.readUTF();
            String catalogVersion = in.readUTF();
            String currency = in.readUTF();
            RatingRequest request = readRatingRequest(in);
            String rule = readOptional(in);
            Tariff tariff = in.readBoolean() ? readTariff(in) : null;
            String band = readOptional(in);
            RatedGrant.Source source = enumOf(RatedGrant.Source.values(), in.readUnsignedByte());
            rated = new RatedGrant(service, catalogVersion, currency, request, rule, tariff, band, source,
                    in.readLong(), in.readLong());
        }
        return new Grant(reservationId, unit, amount, rated, admitted);
    }

    private static void writeRatingRequest(DataOutput out, RatingRequest r) throws IOException {
        out.writeUTF(r.service());
        writeTerminal(out, r.calling());
        writeTerminal(out, r.called());
        writeOptional(out, r.outlet());
        out.writeLong(r.atMillis());
    }

    private static RatingRequest readRatingRequest(DataInput in) throws IOException {
        return new RatingRequest(in.readUTF(), readTerminal(in), readTerminal(in), readOptional(in), in.readLong());
    }

    private static void writeTerminal(DataOutput out, Terminal t) throws IOException {
        writeEnum(out, t.network());
        writeEnum(out, t.type());
        out.writeByte(t.roaming() == null ? EngineCodec.ABSENT : t.roaming() ? 1 : 0);
    }

    private static Terminal readTerminal(DataInput in) throws IOException {
        NetworkType network = readEnum(in, NetworkType.values());
        TerminalType type = readEnum(in, TerminalType.values());
        int roaming = in.readUnsignedByte();
        return new Terminal(network, type, roaming == EngineCodec.ABSENT ? null : roaming == 1);
    }

    private static void writeTariff(DataOutput out, Tariff t) throws IOException {
        out.writeUTF(t.id());
        out.writeByte(t.unit().ordinal());
        writeSteps(out, t.steps());
        out.writeByte(t.rounding().ordinal());
        out.writeLong(t.minimumCharge());
        List<String> bands = new ArrayList<>(t.bandSteps().keySet());
        bands.sort(null);
        out.writeShort(bands.size());
        for (String band : bands) {
            out.writeUTF(band);
            writeSteps(out, t.bandSteps().get(band));
        }
    }

    private static Tariff readTariff(DataInput in) throws IOException {
        String id = in.readUTF();
        Unit unit = enumOf(Unit.values(), in.readUnsignedByte());
        List<Tariff.Step> steps = readSteps(in);
        Tariff.Rounding rounding = enumOf(Tariff.Rounding.values(), in.readUnsignedByte());
        long minimum = in.readLong();
        Map<String, List<Tariff.Step>> bands = new LinkedHashMap<>();
        int count = in.readUnsignedShort();
        for (int i = 0; i < count; i++) {
            bands.put(in.readUTF(), readSteps(in));
        }
        return new Tariff(id, unit, steps, rounding, minimum, bands);
    }

    private static void writeSteps(DataOutput out, List<Tariff.Step> steps) throws IOException {
        out.writeShort(steps.size());
        for (Tariff.Step s : steps) {
            out.writeLong(s.until());
            out.writeLong(s.blockUnits());
            out.writeLong(s.pricePerBlock());
        }
    }

    private static List<Tariff.Step> readSteps(DataInput in) throws IOException {
        int count = in.readUnsignedShort();
        List<Tariff.Step> steps = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            steps.add(new Tariff.Step(in.readLong(), in.readLong(), in.readLong()));
        }
        return steps;
    }

    // ---------------------------------------------------------------- answers

    static void writeOutcome(DataOutput out, ChargingOutcome o) throws IOException {
        out.writeByte(o.result().ordinal());
        writeOptional(out, o.message());
        writeEnum(out, o.failedField());
        out.writeByte(o.services().size());
        for (ChargingOutcome.ServiceOutcome s : o.services()) {
            EngineCodec.writeKey(out, s.key());
            out.writeByte(s.result().ordinal());
            writeEnum(out, s.unit());
            out.writeLong(s.granted());
            out.writeBoolean(s.finalUnits());
            out.writeLong(s.validitySeconds());
            out.writeLong(s.remainingMoney());
            writeOptional(out, s.problem());
            writeEnum(out, s.failedField());
        }
        out.writeByte(o.enoughCredit() == null ? EngineCodec.ABSENT : o.enoughCredit() ? 1 : 0);
        out.writeLong(o.price());
        out.writeBoolean(o.sessionEnded());
    }

    static ChargingOutcome readOutcome(DataInput in) throws IOException {
        ChargingOutcome.Result result = enumOf(ChargingOutcome.Result.values(), in.readUnsignedByte());
        String message = readOptional(in);
        ChargingOutcome.Field field = readEnum(in, ChargingOutcome.Field.values());
        int count = in.readUnsignedByte();
        List<ChargingOutcome.ServiceOutcome> services = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            services.add(new ChargingOutcome.ServiceOutcome(EngineCodec.readKey(in),
                    enumOf(ChargingOutcome.Result.values(), in.readUnsignedByte()), readEnum(in, Unit.values()),
                    in.readLong(), in.readBoolean(), in.readLong(), in.readLong(), readOptional(in),
                    readEnum(in, ChargingOutcome.Field.values())));
        }
        int enough = in.readUnsignedByte();
        return new ChargingOutcome(result, message, field, services, enough == EngineCodec.ABSENT ? null : enough == 1,
                in.readLong(), in.readBoolean());
    }

    // ---------------------------------------------------------------- layered admission

    static void writeAdmission(DataOutput out, AdmissionControl.LiveAdmission a) throws IOException {
        out.writeUTF(a.id());
        out.writeByte(a.request().layer().ordinal());
        writeParameters(out, a.request().parameters());
        ChargingParameters c = a.answer().charging();
        out.writeByte(c.layer().ordinal());
        out.writeByte(c.draws().size());
        for (var e : c.draws().entrySet()) {
            out.writeByte(e.getKey().ordinal());
            out.writeLong(e.getValue());
        }
        writeParameters(out, c.classes());
        out.writeLong(c.reservationBytes());
        out.writeLong(a.answer().expiresAtMillis());
        out.writeByte(a.answer().pools().size());
        for (PoolLevel level : a.answer().pools().values()) {
            out.writeByte(level.pool().ordinal());
            out.writeLong(level.capacity());
            out.writeLong(level.used());
        }
        out.writeLong(a.expiresAtMillis());
    }

    static AdmissionControl.LiveAdmission readAdmission(DataInput in) throws IOException {
        String id = in.readUTF();
        QosRequest request = new QosRequest(enumOf(Layer.values(), in.readUnsignedByte()), readParameters(in));
        Layer layer = enumOf(Layer.values(), in.readUnsignedByte());
        Map<Pool, Long> draws = new EnumMap<>(Pool.class);
        int drawCount = in.readUnsignedByte();
        for (int i = 0; i < drawCount; i++) {
            draws.put(enumOf(Pool.values(), in.readUnsignedByte()), in.readLong());
        }
        ChargingParameters charging = new ChargingParameters(layer, draws, readParameters(in), in.readLong());
        long answerExpires = in.readLong();
        Map<Pool, PoolLevel> pools = new EnumMap<>(Pool.class);
        int poolCount = in.readUnsignedByte();
        for (int i = 0; i < poolCount; i++) {
            Pool pool = enumOf(Pool.values(), in.readUnsignedByte());
            pools.put(pool, new PoolLevel(pool, in.readLong(), in.readLong()));
        }
        return new AdmissionControl.LiveAdmission(id, request, new AdmissionResult.Admitted(id, charging,
                answerExpires, pools), in.readLong());
    }

    private static void writeParameters(DataOutput out, Map<QosParameter, Long> parameters) throws IOException {
        out.writeByte(parameters.size());
        for (var e : parameters.entrySet()) {
            out.writeByte(e.getKey().ordinal());
            out.writeLong(e.getValue());
        }
    }

    private static Map<QosParameter, Long> readParameters(DataInput in) throws IOException {
        Map<QosParameter, Long> parameters = new EnumMap<>(QosParameter.class);
        int count = in.readUnsignedByte();
        for (int i = 0; i < count; i++) {
            parameters.put(enumOf(QosParameter.values(), in.readUnsignedByte()), in.readLong());
        }
        return parameters;
    }

    static void writeShare(DataOutput out, DataShare s) throws IOException {
        for (String field : new String[] {s.id(), s.requestKey(), s.baseStationId(), s.supplierSim(), s.borrowerSim(),
                s.supplierAccount(), s.borrowerAccount()}) {
            out.writeUTF(field);
        }
        out.writeLong(s.limitBytes());
        out.writeLong(s.priceMinorPerMb());
        out.writeLong(s.createdMillis());
        out.writeLong(s.day());
        out.writeByte(s.status().ordinal());
        out.writeLong(s.usedBytes());
        out.writeLong(s.feePaid());
        out.writeBoolean(s.cutOff());
        writeOptional(out, s.endedBy());
        out.writeLong(s.deadlineMillis());
    }

    static DataShare readShare(DataInput in) throws IOException {
        try {
            return new DataShare(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(),
                    in.readUTF(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                    EngineCodec.enumOf(DataShare.Status.values(), in.readUnsignedByte()), in.readLong(), in.readLong(),
                    in.readBoolean(), readOptional(in), in.readLong());
        } catch (IllegalArgumentException invalid) {
            throw new IOException("snapshot share: " + invalid.getMessage(), invalid);
        }
    }
}

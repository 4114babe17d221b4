package io.credence.charging;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.ChargingParameters;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.admission.QosRequest;
import io.credence.ledger.Outcome;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;

import static io.credence.charging.EngineCodec.enumOf;
import static io.credence.charging.EngineCodec.readOptional;
import static io.credence.charging.EngineCodec.writeOptional;

/** Layered admission's values as journal records and snapshots hold them: policy, requests, billings, settlements. */
final class AdmissionCodec {
    private AdmissionCodec() {}

    static void writePolicy(DataOutput out, AdmissionPolicy p) throws IOException {
        out.writeInt(p.admissionsMax());
        out.writeLong(p.ttlSecondsMax());
        out.writeByte(p.layers().size());
        for (var layer : p.layers().entrySet()) {
            out.writeByte(layer.getKey().ordinal());
            out.writeByte(layer.getValue().ranges().size());
            for (var r : layer.getValue().ranges().entrySet()) {
                out.writeByte(r.getKey().ordinal());
                out.writeLong(r.getValue().min());
                out.writeLong(r.getValue().max());
                AdmissionPolicy.Threshold t = r.getValue().threshold();
                out.writeBoolean(t != null);
                if (t != null) {
                    out.writeLong(t.value());
                    out.writeInt(t.fillPercent());
                }
            }
            out.writeByte(layer.getValue().capacities().size());
            for (var c : layer.getValue().capacities().entrySet()) {
                out.writeByte(c.getKey().ordinal());
                out.writeLong(c.getValue());
            }
        }
    }

    static AdmissionPolicy readPolicy(DataInput in) throws IOException {
        int admissionsMax = in.readInt();
        long ttlSecondsMax = in.readLong();
        Map<Layer, AdmissionPolicy.LayerPolicy> layers = new EnumMap<>(Layer.class);
        int layerCount = in.readUnsignedByte();
        for (int i = 0; i < layerCount; i++) {
            Layer layer = enumOf(Layer.values(), in.readUnsignedByte());
            Map<QosParameter, AdmissionPolicy.Range> ranges = new EnumMap<>(QosParameter.class);
            int rangeCount = in.readUnsignedByte();
            for (int r = 0; r < rangeCount; r++) {
                QosParameter parameter = enumOf(QosParameter.values(), in.readUnsignedByte());
                long min = in.readLong();
                long max = in.readLong();
                AdmissionPolicy.Threshold threshold = in.readBoolean()
                        ? new AdmissionPolicy.Threshold(in.readLong(), in.readInt()) : null;
                ranges.put(parameter, new AdmissionPolicy.Range(min, max, threshold));
            }
            Map<Pool, Long> capacities = new EnumMap<>(Pool.class);
            int poolCount = in.readUnsignedByte();
            for (int c = 0; c < poolCount; c++) {
                capacities.put(enumOf(Pool.values(), in.readUnsignedByte()), in.readLong());
            }
            layers.put(layer, new AdmissionPolicy.LayerPolicy(ranges, capacities));
        }
        try {
            return new AdmissionPolicy(layers, admissionsMax, ttlSecondsMax);
        } catch (IllegalArgumentException invalid) {
            throw new IOException("admission policy: " + invalid.getMessage(), invalid);
        }
    }

    static void writeRequest(DataOutput out, QosRequest request) throws IOException {
        out.writeByte(request.layer().ordinal());
        writeParameters(out, request.parameters());
    }

    static QosRequest readRequest(DataInput in) throws IOException {
        return new QosRequest(enumOf(Layer.values(), in.readUnsignedByte()), readParameters(in));
    }

    static void writeParameters(DataOutput out, Map<QosParameter, Long> parameters) throws IOException {
        out.writeByte(parameters.size());
        for (var e : parameters.entrySet()) {
            out.writeByte(e.getKey().ordinal());
            out.writeLong(e.getValue());
        }
    }

    static Map<QosParameter, Long> readParameters(DataInput in) throws IOException {
        Map<QosParameter, Long> parameters = new EnumMap<>(QosParameter.class);
        int count = in.readUnsignedByte();
        for (int i = 0; i < count; i++) {
            parameters.put(enumOf(QosParameter.values(), in.readUnsignedByte()), in.readLong());
        }
        return parameters;
    }

    static void writeCharging(DataOutput out, ChargingParameters c) throws IOException {
        out.writeByte(c.layer().ordinal());
        out.writeByte(c.draws().size());
        for (var e : c.draws().entrySet()) {
            out.writeByte(e.getKey().ordinal());
            out.writeLong(e.getValue());
        }
        writeParameters(out, c.classes());
        out.writeLong(c.reservationBytes());
    }

    static ChargingParameters readCharging(DataInput in) throws IOException {
        Layer layer = enumOf(Layer.values(), in.readUnsignedByte());
        Map<Pool, Long> draws = new EnumMap<>(Pool.class);
        int drawCount = in.readUnsignedByte();
        for (int i = 0; i < drawCount; i++) {
            draws.put(enumOf(Pool.values(), in.readUnsignedByte()), in.readLong());
        }
        return new ChargingParameters(layer, draws, readParameters(in), in.readLong());
    }

    static void writeBilling(DataOutput out, AdmissionBilling b) throws IOException {
        out.writeByte(b.layer().ordinal());
        out.writeUTF(b.accountId());
        out.writeLong(b.reservationId());
        out.writeLong(b.reservedBytes());
    }

    static AdmissionBilling readBilling(DataInput in) throws IOException {
        return new AdmissionBilling(enumOf(Layer.values(), in.readUnsignedByte()), in.readUTF(), in.readLong(),
                in.readLong());
    }

    static void writeSettlement(DataOutput out, AdmissionSettlement s) throws IOException {
        out.writeUTF(s.requestId());
        out.writeUTF(s.committedRequestId());
        writeBilling(out, s.billing());
        out.writeLong(s.usage().bytesMetered());
        out.writeLong(s.usage().bytesDropped());
        out.writeLong(s.usage().activeSeconds());
        out.writeLong(s.usage().wallSeconds());
        Outcome.Committed c = s.committed();
        out.writeLong(c.reservationId());
        out.writeLong(c.committed());
        out.writeLong(c.released());
        out.writeLong(c.overdraft());
        out.writeLong(c.transferSeq());
        out.writeBoolean(s.released() != null);
        if (s.released() != null) {
            writeCharging(out, s.released());
        }
        writeOptional(out, null); // room for a reason, kept empty
    }

    static AdmissionSettlement readSettlement(DataInput in) throws IOException {
        String requestId = in.readUTF();
        String committedRequestId = in.readUTF();
        AdmissionBilling billing = readBilling(in);
        AdmissionUsage usage = new AdmissionUsage(in.readLong(), in.readLong(), in.readLong(), in.readLong());
        Outcome.Committed committed = new Outcome.Committed(in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                in.readLong());
        ChargingParameters released = in.readBoolean() ? readCharging(in) : null;
        readOptional(in);
        return new AdmissionSettlement(requestId, committedRequestId, billing, usage, committed, released);
    }
}

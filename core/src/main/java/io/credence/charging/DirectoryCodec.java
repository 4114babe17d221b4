package io.credence.charging;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The device directory's commands as journal records (after {@link EngineCodec}'s empty request id
 * and tag) and its section of the engine snapshot:
 *
 * <pre>
 *   80 ProvisionSim        simId, accountId, secret digest
 *   81 RegisterDevice      simId, deviceId, secret digest, token digest
 *   82 UnbindDevice        simId
 *   83 MoveSim             simId, toAccountId, byKey?, requestId?
 *   84 PutBaseStation      baseStationId, secret digest
 *   85 SetHomeBaseStation  simId, baseStationId
 *   86 PutShareRules       simId, rules
 *   87 RememberAdminAnswer requestId, fingerprint, status i32, answer (u32 length, UTF-8), atMillis i64
 *   88 RestoreSim          sim, u8 moves { move }
 *   sim:    simId, accountId, secret digest, deviceId?, token digest (when a device)
 *   rules:  maxBytesPerDay i64, price i64, allowed? u16 count { simId }
 *   move:   atMillis i64, simId, from, to, lastReportSeq i64, byKey?, requestId?
 *   digest: 32 bytes
 *
 *   snapshot: u32 sims { sim } by id, u32 base stations { id, digest } by id, u32 homes { sim, station } by sim,
 *             u32 rules { sim, rules } by sim, u32 trails { sim, u8 moves { move } } by sim,
 *             u32 admin answers { requestId, fingerprint, status, answer, atMillis } eldest first
 * </pre>
 */
final class DirectoryCodec {
    static final int PROVISION_SIM = 80;
    static final int REGISTER_DEVICE = 81;
    static final int UNBIND_DEVICE = 82;
    static final int MOVE_SIM = 83;
    static final int PUT_BASE_STATION = 84;
    static final int SET_HOME_BASE_STATION = 85;
    static final int PUT_SHARE_RULES = 86;
    static final int REMEMBER_ADMIN_ANSWER = 87;
    static final int RESTORE_SIM = 88;

    private DirectoryCodec() {}

    static boolean isDirectoryTag(int tag) {
        return tag >= PROVISION_SIM && tag <= RESTORE_SIM;
    }

    static void write(DataOutput out, DirectoryCommand command) throws IOException {
        out.writeUTF("");
        switch (command) {
            case DirectoryCommand.ProvisionSim c -> {
                out.writeByte(PROVISION_SIM);
                out.writeUTF(c.simId());
                out.writeUTF(c.accountId());
                out.write(c.secretDigest());
            }
            case DirectoryCommand.RegisterDevice c -> {
                out.writeByte(REGISTER_DEVICE);
                out.writeUTF(c.simId());
                out.writeUTF(c.deviceId());
                out.write(c.secretDigest());
                out.write(c.tokenDigest());
            }
            case DirectoryCommand.UnbindDevice c -> {
                out.writeByte(UNBIND_DEVICE);
                out.writeUTF(c.simId());
            }
            case DirectoryCommand.MoveSim c -> {
                out.writeByte(MOVE_SIM);
                out.writeUTF(c.simId());
                out.writeUTF(c.toAccountId());
                EngineCodec.writeOptional(out, c.byKey());
                EngineCodec.writeOptional(out, c.requestId());
            }
            case DirectoryCommand.PutBaseStation c -> {
                out.writeByte(PUT_BASE_STATION);
                out.writeUTF(c.baseStationId());
                out.write(c.secretDigest());
            }
            case DirectoryCommand.SetHomeBaseStation c -> {
                out.writeByte(SET_HOME_BASE_STATION);
                out.writeUTF(c.simId());
                out.writeUTF(c.baseStationId());
            }
            case DirectoryCommand.PutShareRules c -> {
                out.writeByte(PUT_SHARE_RULES);
                out.writeUTF(c.simId());
                writeRules(out, c.rules());
            }
            case DirectoryCommand.RememberAdminAnswer c -> {
                out.writeByte(REMEMBER_ADMIN_ANSWER);
                out.writeUTF(c.requestId());
                writeAnswer(out, c.answer());
            }
            case DirectoryCommand.RestoreSim c -> {
                out.writeByte(RESTORE_SIM);
                writeSim(out, c.sim());
                out.writeByte(c.moves().size());
                for (DeviceDirectory.SimMove move : c.moves()) {
                    writeMove(out, move);
                }
            }
        }
    }

    /** The command after its request id and tag. */
    static DirectoryCommand read(DataInput in, int tag) throws IOException {
        return switch (tag) {
            case PROVISION_SIM -> new DirectoryCommand.ProvisionSim(in.readUTF(), in.readUTF(), readDigest(in));
            case REGISTER_DEVICE -> new DirectoryCommand.RegisterDevice(in.readUTF(), in.readUTF(), readDigest(in),
                    readDigest(in));
            case UNBIND_DEVICE -> new DirectoryCommand.UnbindDevice(in.readUTF());
            case MOVE_SIM -> new DirectoryCommand.MoveSim(in.readUTF(), in.readUTF(), EngineCodec.readOptional(in),
                    EngineCodec.readOptional(in));
            case PUT_BASE_STATION -> new DirectoryCommand.PutBaseStation(in.readUTF(), readDigest(in));
            case SET_HOME_BASE_STATION -> new DirectoryCommand.SetHomeBaseStation(in.readUTF(), in.readUTF());
            case PUT_SHARE_RULES -> new DirectoryCommand.PutShareRules(in.readUTF(), readRules(in));
            case REMEMBER_ADMIN_ANSWER -> new DirectoryCommand.RememberAdminAnswer(in.readUTF(), readAnswer(in));
            case RESTORE_SIM -> {
                DeviceDirectory.Sim sim = readSim(in);
                int count = in.readUnsignedByte();
                if (count > DeviceDirectory.MOVES_KEPT_PER_SIM) {
                    throw new IOException(count + " moves of one SIM");
                }
                List<DeviceDirectory.SimMove> moves = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    moves.add(readMove(in));
                }
                yield new DirectoryCommand.RestoreSim(sim, moves);
            }
            default -> throw new IOException("unknown device directory command tag " + tag);
        };
    }

    // ---------------------------------------------------------------- snapshot section

    static void writeState(DataOutput out, DeviceDirectory d) throws IOException {
        List<String> ids = sorted(d.sims);
        out.writeInt(ids.size());
        for (String id : ids) {
            writeSim(out, d.sims.get(id));
        }
        ids = sorted(d.baseStations);
        out.writeInt(ids.size());
        for (String id : ids) {
            out.writeUTF(id);
            out.write(d.baseStations.get(id));
        }
        ids = sorted(d.homes);
        out.writeInt(ids.size());
        for (String id : ids) {
            out.writeUTF(id);
            out.writeUTF(d.homes.get(id));
        }
        ids = sorted(d.rules);
        out.writeInt(ids.size());
        for (String id : ids) {
            out.writeUTF(id);
            writeRules(out, d.rules.get(id));
        }
        ids = sorted(d.moves);
        out.writeInt(ids.size());
        for (String id : ids) {
            out.writeUTF(id);
            ArrayDeque<DeviceDirectory.SimMove> trail = d.moves.get(id);
            out.writeByte(trail.size());
            for (DeviceDirectory.SimMove move : trail) {
                writeMove(out, move);
            }
        }
        out.writeInt(d.adminAnswers.size());
        for (Map.Entry<String, DeviceDirectory.AdminAnswer> e : d.adminAnswers.entrySet()) {
            out.writeUTF(e.getKey());
            writeAnswer(out, e.getValue());
        }
    }

    static void readState(DataInput in, DeviceDirectory d) throws IOException {
        int count = count(in, DeviceDirectory.SIMS_MAX, "SIMs");
        for (int i = 0; i < count; i++) {
            DeviceDirectory.Sim sim = readSim(in);
            d.sims.put(sim.simId(), sim);
        }
        count = count(in, DeviceDirectory.BASE_STATIONS_MAX, "base stations");
        for (int i = 0; i < count; i++) {
            d.baseStations.put(in.readUTF(), readDigest(in));
        }
        count = count(in, DeviceDirectory.SIMS_MAX, "home base stations");
        for (int i = 0; i < count; i++) {
            d.homes.put(in.readUTF(), in.readUTF());
        }
        count = count(in, DeviceDirectory.SIMS_MAX, "share rules");
        for (int i = 0; i < count; i++) {
            d.rules.put(in.readUTF(), readRules(in));
        }
        count = count(in, DeviceDirectory.SIMS_MAX, "move trails");
        for (int i = 0; i < count; i++) {
            String sim = in.readUTF();
            int moves = in.readUnsignedByte();
            if (moves == 0 || moves > DeviceDirectory.MOVES_KEPT_PER_SIM) {
                throw new IOException("a move trail of " + moves + " moves");
            }
            ArrayDeque<DeviceDirectory.SimMove> trail = new ArrayDeque<>(moves);
            for (int m = 0; m < moves; m++) {
                trail.addLast(readMove(in));
            }
            d.moves.put(sim, trail);
        }
        count = count(in, DeviceDirectory.ADMIN_ANSWERS_MAX, "admin answers");
        for (int i = 0; i < count; i++) {
            d.adminAnswers.put(in.readUTF(), readAnswer(in));
        }
        try {
            d.verify();
        } catch (IllegalStateException broken) {
            throw new IOException(broken.getMessage(), broken);
        }
    }

    private static int count(DataInput in, int max, String what) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > max) {
            throw new IOException("snapshot holds " + count + " " + what + " (at most " + max + ")");
        }
        return count;
    }

    private static List<String> sorted(Map<String, ?> table) {
        List<String> ids = new ArrayList<>(table.keySet());
        ids.sort(null);
        return ids;
    }

    // ---------------------------------------------------------------- parts

    private static void writeSim(DataOutput out, DeviceDirectory.Sim sim) throws IOException {
        out.writeUTF(sim.simId());
        out.writeUTF(sim.accountId());
        out.write(sim.secretDigest());
        EngineCodec.writeOptional(out, sim.deviceId());
        if (sim.deviceId() != null) {
            out.write(sim.tokenDigest());
        }
    }

    private static DeviceDirectory.Sim readSim(DataInput in) throws IOException {
        String simId = in.readUTF();
        String accountId = in.readUTF();
        byte[] secret = readDigest(in);
        String deviceId = EngineCodec.readOptional(in);
        byte[] token = deviceId == null ? null : readDigest(in);
        try {
            return new DeviceDirectory.Sim(simId, accountId, secret, deviceId, token);
        } catch (IllegalArgumentException invalid) {
            throw new IOException("invalid SIM " + simId + ": " + invalid.getMessage(), invalid);
        }
    }

    private static void writeRules(DataOutput out, DeviceDirectory.Rules rules) throws IOException {
        out.writeLong(rules.maxBytesPerDay());
        out.writeLong(rules.priceMinorPerMb());
        out.writeBoolean(rules.allowedBorrowers() != null);
        if (rules.allowedBorrowers() != null) {
            out.writeShort(rules.allowedBorrowers().size());
            for (String sim : rules.allowedBorrowers()) {
                out.writeUTF(sim);
            }
        }
    }

    private static DeviceDirectory.Rules readRules(DataInput in) throws IOException {
        long max = in.readLong();
        long price = in.readLong();
        List<String> allowed = null;
        if (in.readBoolean()) {
            int count = in.readUnsignedShort();
            if (count > DeviceDirectory.Rules.ALLOWED_BORROWERS_MAX) {
                throw new IOException(count + " allowed borrowers");
            }
            allowed = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                allowed.add(in.readUTF());
            }
        }
        try {
            return new DeviceDirectory.Rules(max, allowed, price);
        } catch (IllegalArgumentException invalid) {
            throw new IOException("invalid share rules: " + invalid.getMessage(), invalid);
        }
    }

    private static void writeMove(DataOutput out, DeviceDirectory.SimMove move) throws IOException {
        out.writeLong(move.atMillis());
        out.writeUTF(move.simId());
        out.writeUTF(move.fromAccount());
        out.writeUTF(move.toAccount());
        out.writeLong(move.lastReportSeq());
        EngineCodec.writeOptional(out, move.byKey());
        EngineCodec.writeOptional(out, move.requestId());
    }

    private static DeviceDirectory.SimMove readMove(DataInput in) throws IOException {
        return new DeviceDirectory.SimMove(in.readLong(), in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(),
                EngineCodec.readOptional(in), EngineCodec.readOptional(in));
    }

    private static void writeAnswer(DataOutput out, DeviceDirectory.AdminAnswer answer) throws IOException {
        out.writeUTF(answer.fingerprint());
        out.writeInt(answer.status());
        byte[] body = answer.answer().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(body.length);
        out.write(body);
        out.writeLong(answer.atMillis());
    }

    private static DeviceDirectory.AdminAnswer readAnswer(DataInput in) throws IOException {
        String fingerprint = in.readUTF();
        int status = in.readInt();
        int length = in.readInt();
        if (length < 0 || length > 4 * DeviceDirectory.ADMIN_ANSWER_CHARS_MAX) {
            throw new IOException("an admin answer of " + length + " bytes");
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return new DeviceDirectory.AdminAnswer(fingerprint, status,
                new String(body, java.nio.charset.StandardCharsets.UTF_8), in.readLong());
    }

    private static byte[] readDigest(DataInput in) throws IOException {
        byte[] digest = new byte[DeviceDirectory.DIGEST_BYTES];
        in.readFully(digest);
        return digest;
    }
}

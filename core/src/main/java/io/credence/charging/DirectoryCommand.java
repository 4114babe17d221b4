package io.credence.charging;

import java.util.List;
import java.util.Objects;

/**
 * A change to the device directory (who may ask for device quota and data shares), one engine
 * command per administrative operation, so every replica of the engine holds the same SIMs, base
 * stations and rules and a retry on another node finds what the first attempt did. Secrets and
 * device tokens travel only as SHA-256 digests: the adapter draws a token at random and hashes
 * it, so the command is the same bytes on every replica.
 */
public sealed interface DirectoryCommand extends EngineCommand {
    /** A cloud SIM for an existing account; an existing SIM is never changed by it. */
    record ProvisionSim(String simId, String accountId, byte[] secretDigest) implements DirectoryCommand {
        public ProvisionSim {
            Objects.requireNonNull(simId, "simId");
            io.credence.ledger.Ids.requireAccountId(accountId, "accountId");
            secretDigest = DeviceDirectory.requireDigest(secretDigest, "secretDigest");
        }
    }

    /**
     * A device presents the SIM's secret (its digest) and is bound to the SIM with a new token
     * (its digest), unless another device holds it.
     */
    record RegisterDevice(String simId, String deviceId, byte[] secretDigest, byte[] tokenDigest)
            implements DirectoryCommand {
        public RegisterDevice {
            Objects.requireNonNull(simId, "simId");
            Objects.requireNonNull(deviceId, "deviceId");
            secretDigest = DeviceDirectory.requireDigest(secretDigest, "secretDigest");
            tokenDigest = DeviceDirectory.requireDigest(tokenDigest, "tokenDigest");
        }
    }

    /** Frees the SIM from its device (an admin's decision), so another device may register it. */
    record UnbindDevice(String simId) implements DirectoryCommand {
        public UnbindDevice {
            Objects.requireNonNull(simId, "simId");
        }
    }

    /**
     * Gives the SIM to another account: its report numbering carries over (the new account's
     * stream is advanced to the SIM's last report), its open grant is released, and the move is
     * kept in the SIM's audit trail with who asked ({@code byKey}) and the request id (or null).
     */
    record MoveSim(String simId, String toAccountId, String byKey, String requestId) implements DirectoryCommand {
        public MoveSim {
            Objects.requireNonNull(simId, "simId");
            io.credence.ledger.Ids.requireAccountId(toAccountId, "toAccountId");
        }
    }

    /** Creates a base station, or gives an existing one a new secret. */
    record PutBaseStation(String baseStationId, byte[] secretDigest) implements DirectoryCommand {
        public PutBaseStation {
            Objects.requireNonNull(baseStationId, "baseStationId");
            secretDigest = DeviceDirectory.requireDigest(secretDigest, "secretDigest");
        }
    }

    /** The base station that allocates relay resources for the terminal. */
    record SetHomeBaseStation(String simId, String baseStationId) implements DirectoryCommand {
        public SetHomeBaseStation {
            Objects.requireNonNull(simId, "simId");
            Objects.requireNonNull(baseStationId, "baseStationId");
        }
    }

    /** A supplier's standing rules for lending its data (they replace the ones before). */
    record PutShareRules(String simId, DeviceDirectory.Rules rules) implements DirectoryCommand {
        public PutShareRules {
            Objects.requireNonNull(simId, "simId");
            Objects.requireNonNull(rules, "rules");
        }
    }

    /**
     * An admin request's first answer, kept for its retries for a day (the first one kept wins:
     * two nodes answering the same request id at once keep one answer).
     */
    record RememberAdminAnswer(String requestId, DeviceDirectory.AdminAnswer answer) implements DirectoryCommand {
        public RememberAdminAnswer {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(answer, "answer");
        }
    }

    /**
     * A SIM as a registry written before the directory was engine state held it, with its moves
     * (the one-time import at start-up); a SIM the directory has already is left as it is.
     */
    record RestoreSim(DeviceDirectory.Sim sim, List<DeviceDirectory.SimMove> moves) implements DirectoryCommand {
        public RestoreSim {
            Objects.requireNonNull(sim, "sim");
            moves = List.copyOf(moves);
            if (moves.size() > DeviceDirectory.MOVES_KEPT_PER_SIM) {
                moves = moves.subList(moves.size() - DeviceDirectory.MOVES_KEPT_PER_SIM, moves.size());
            }
        }
    }
}

package io.credence.charging;

import io.credence.ledger.Command;

/**
 * What the engine applies, one at a time, each journaled as one record: a ledger command
 * (provisioning, top-ups, the device and market steps), a charging request, a catalog to put in
 * force, the engine's configuration, or a change to the device directory ({@link DirectoryCommand}).
 */
public sealed interface EngineCommand permits EngineCommand.LedgerCommand, EngineCommand.Charge,
        EngineCommand.InstallCatalog, EngineCommand.Configure, EngineCommand.SetAdmissionPolicy, EngineCommand.Admit,
        EngineCommand.DeviceGrant, EngineCommand.DeviceReports, EngineCommand.EndAdmission, EngineCommand.OpenShare,
        EngineCommand.MeterShare, EngineCommand.CancelShare, EngineCommand.DeviceGrantByToken,
        EngineCommand.DeviceReportsByToken, DirectoryCommand {
    /** A plain ledger command: the ledger applies it, with its request-id answer memory. */
    record LedgerCommand(Command command) implements EngineCommand {}

    /** One charging request of any protocol. */
    record Charge(ChargingRequest request) implements EngineCommand {}

    /**
     * A catalog to rate and admit with from now on: its source bytes (the operator's file), read
     * by the engine's {@link CatalogReader} now and at every replay.
     */
    record InstallCatalog(byte[] source) implements EngineCommand {
        public static final int SOURCE_BYTES_MAX = 768 * 1024;

        public InstallCatalog {
            if (source == null || source.length == 0 || source.length > SOURCE_BYTES_MAX) {
                throw new IllegalArgumentException("a catalog's source is 1.." + SOURCE_BYTES_MAX + " bytes");
            }
            source = source.clone();
        }

        @Override
        public byte[] source() {
            return source.clone();
        }
    }

    /** The configuration requests are charged with from now on. */
    record Configure(EngineConfig config) implements EngineCommand {}

    /**
     * Layered admission's policy from now on (when it does not come with a catalog): the pools
     * take the new capacities, live admissions keep their draws.
     */
    record SetAdmissionPolicy(io.credence.admission.AdmissionPolicy policy) implements EngineCommand {
        public SetAdmissionPolicy {
            java.util.Objects.requireNonNull(policy, "policy");
        }
    }

    /**
     * A layered admission asked for over HTTP; with an account, billed: its reservation of BYTES is
     * taken in the same command, so an admission never stands without the reservation it needs.
     *
     * @param accountId      who pays, or null for an admission that is not billed
     * @param counterpartyId who is paid (the system account by default)
     */
    record Admit(String admissionId, io.credence.admission.QosRequest request, long ttlMillis, String accountId,
                 String counterpartyId) implements EngineCommand {
        public Admit {
            java.util.Objects.requireNonNull(admissionId, "admissionId");
            java.util.Objects.requireNonNull(request, "request");
            if (ttlMillis < 1 || (accountId == null) != (counterpartyId == null)) {
                throw new IllegalArgumentException("ttlMillis >= 1; an account and its counterparty, or neither");
            }
        }
    }

    /**
     * The end of an admission: with usage, a billed admission's effective bytes are committed on
     * its reservation (the request id names that commit, null for one derived from it); without,
     * it is released and its reservation given back.
     */
    /**
     * A cloud SIM asks for quota: its open grant, or a new one of up to {@code askedBytes} (0: the
     * default). The account charged is the SIM's in the directory when the command is applied;
     * {@code accountId} (the adapter's view) counts only for a SIM the directory does not hold,
     * as in journals written before it did.
     */
    record DeviceGrant(String simId, String accountId, long askedBytes, DeviceTerms terms) implements EngineCommand {
        public DeviceGrant {
            java.util.Objects.requireNonNull(simId, "simId");
            io.credence.ledger.Ids.requireAccountId(accountId, "accountId");
            java.util.Objects.requireNonNull(terms, "terms");
            if (askedBytes < 0) {
                throw new IllegalArgumentException("askedBytes must be >= 0");
            }
        }
    }

    /**
     * A cloud SIM's numbered usage reports, counted and charged in order ({@link #REPORTS_MAX} at
     * most), to the SIM's account in the directory when applied (see {@link DeviceGrant}).
     */
    record DeviceReports(String simId, String accountId, String deviceId, java.util.List<DeviceAnswers.Report> reports,
                         DeviceTerms terms) implements EngineCommand {
        public static final int REPORTS_MAX = 1_000;

        public DeviceReports {
            java.util.Objects.requireNonNull(simId, "simId");
            io.credence.ledger.Ids.requireAccountId(accountId, "accountId");
            java.util.Objects.requireNonNull(deviceId, "deviceId");
            java.util.Objects.requireNonNull(terms, "terms");
            reports = java.util.List.copyOf(reports);
            if (reports.isEmpty() || reports.size() > REPORTS_MAX) {
                throw new IllegalArgumentException("1.." + REPORTS_MAX + " reports");
            }
        }
    }

    /**
     * A device's own grant request, with the digest of the token it presented: the engine checks
     * it against the SIM's binding and grants from the SIM's account, in this one command, so a
     * token is checked against the binding as it is when the grant is made, on any node.
     */
    record DeviceGrantByToken(String simId, DeviceDirectory.TokenDigest token, long askedBytes, DeviceTerms terms)
            implements EngineCommand {
        public DeviceGrantByToken {
            java.util.Objects.requireNonNull(simId, "simId");
            java.util.Objects.requireNonNull(token, "token");
            java.util.Objects.requireNonNull(terms, "terms");
            if (askedBytes < 0) {
                throw new IllegalArgumentException("askedBytes must be >= 0");
            }
        }
    }

    /** A device's own reports, with its token's digest, checked as {@link DeviceGrantByToken}'s. */
    record DeviceReportsByToken(String simId, DeviceDirectory.TokenDigest token,
                                java.util.List<DeviceAnswers.Report> reports, DeviceTerms terms) implements EngineCommand {
        public DeviceReportsByToken {
            java.util.Objects.requireNonNull(simId, "simId");
            java.util.Objects.requireNonNull(token, "token");
            java.util.Objects.requireNonNull(terms, "terms");
            reports = java.util.List.copyOf(reports);
            if (reports.isEmpty() || reports.size() > DeviceReports.REPORTS_MAX) {
                throw new IllegalArgumentException("1.." + DeviceReports.REPORTS_MAX + " reports");
            }
        }
    }

    record EndAdmission(String admissionId, AdmissionUsage usage, String requestId) implements EngineCommand {
        public EndAdmission {
            java.util.Objects.requireNonNull(admissionId, "admissionId");
            if (requestId != null && usage == null) {
                throw new IllegalArgumentException("a request id names the commit of usage: usage is required with it");
            }
        }
    }
    /**
     * A base station asks to lend the supplier's data to the borrower; the adapter has checked who
     * they are and read the supplier's rules (whether this borrower is allowed, the daily maximum,
     * the price), which come with the command so a replay decides as the live engine did.
     *
     * @param requestKey     the base station and its request id: a retry finds the share it opened
     * @param maxBytesPerDay the supplier's daily maximum over all its shares, 0 for none
     */
    record OpenShare(String shareId, String requestKey, String baseStationId, String supplierSim,
                     String supplierAccount, String borrowerSim, String borrowerAccount, long bytes,
                     boolean borrowerAllowed, long maxBytesPerDay, long priceMinorPerMb, ShareTerms terms)
            implements EngineCommand {
        public OpenShare {
            for (String id : new String[] {shareId, requestKey, baseStationId, supplierSim, borrowerSim}) {
                java.util.Objects.requireNonNull(id, "share ids");
            }
            io.credence.ledger.Ids.requireAccountId(supplierAccount, "supplierAccount");
            io.credence.ledger.Ids.requireAccountId(borrowerAccount, "borrowerAccount");
            java.util.Objects.requireNonNull(terms, "terms");
            if (bytes <= 0 || maxBytesPerDay < 0 || priceMinorPerMb < 0) {
                throw new IllegalArgumentException("bytes > 0, maxBytesPerDay >= 0, priceMinorPerMb >= 0");
            }
        }
    }

    /** A base station's cumulative usage report for a share; {@code last} ends it. */
    record MeterShare(String shareId, String baseStationId, long totalBytes, boolean last, ShareTerms terms)
            implements EngineCommand {
        public MeterShare {
            java.util.Objects.requireNonNull(shareId, "shareId");
            java.util.Objects.requireNonNull(baseStationId, "baseStationId");
            java.util.Objects.requireNonNull(terms, "terms");
            if (totalBytes < 0) {
                throw new IllegalArgumentException("totalBytes must be >= 0");
            }
        }
    }

    /** The borrower or the supplier (the adapter has checked its token) stops a share at its next report. */
    record CancelShare(String shareId, String simId) implements EngineCommand {
        public CancelShare {
            java.util.Objects.requireNonNull(shareId, "shareId");
            java.util.Objects.requireNonNull(simId, "simId");
        }
    }
}

package io.credence.server;

import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.transport.ApplicationHandler;
import io.credence.http.Authenticating;
import io.credence.http.CatalogControl;
import io.credence.http.Metrics;
import io.credence.http.Observing;
import io.credence.http.Operations;
import io.credence.http.Readiness;
import io.credence.cluster.ReplicatedEngine;
import io.credence.journal.DurableEngine;
import io.credence.journal.EngineGate;
import io.credence.journal.JournalCheck;
import io.credence.journal.JournalVerifier;
import io.credence.journal.Submission;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Ledger;
import org.eclipse.jetty.server.Handler;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Wiring of metrics, health and authentication around the server's listeners. */
final class ServerMetrics {
    /** How long a scrape waits for the ledger's open-reservation count before leaving it out. */
    private static final long LEDGER_QUERY_TIMEOUT_MILLIS = 1000;

    private ServerMetrics() {}

    /** Adds the server's gauges and the journal's fsync timing to {@code metrics}. */
    static void register(Metrics metrics, EngineGate ledger, CatalogControl catalog, JournalCheck journalCheck,
                         UnrecoveredUsage unrecovered) {
        if (ledger instanceof DurableEngine journal) { // a Raft replica's log forces are Ratis' own
            journal.observeForce(metrics::journalForce);
        }
        if (ledger instanceof ReplicatedEngine node) {
            metrics.gauge("credence_raft_leader", "1 while this node is the Raft group's leader, else 0",
                    () -> node.isLeader() ? 1 : 0);
            metrics.gauge("credence_raft_term", "The Raft term this node is in", node::term);
            metrics.gauge("credence_raft_commit_index", "The last Raft log index this node knows committed",
                    node::commitIndex);
            metrics.gauge("credence_raft_applied_index", "The last Raft log index this node's engine applied",
                    node::appliedIndex);
            metrics.gauge("credence_raft_peer_lag_entries", "Entries a peer's commit index is behind this node's, "
                    + "as this node last heard", "peer", node::lagByPeer);
        }
        metrics.gauge("credence_ledger_queue_depth", "Commands and queries waiting for the ledger writer",
                ledger::queueDepth);
        metrics.gauge("credence_ledger_open_reservations", "Reservations open in the ledger",
                () -> openReservations(ledger));
        metrics.gauge("credence_charging_sessions_active", "Charging sessions open now (Diameter and Nchf)",
                () -> engineQuery(ledger, view -> view.openSessionCount()));
        metrics.counter("credence_charging_unrecovered_total", "Usage reports nobody could be charged for (the "
                + "grant, the balance and the credit limit did not cover it, or no subscriber was known)",
                unrecovered::reports);
        metrics.counter("credence_charging_unrecovered_units_total", "Units of usage nobody could be charged for, "
                + "summed over units (see the log and the usage records for which)", unrecovered::units);
        // absent until the first check completes (Metrics skips a gauge that throws), so a scrape
        // never reads "0 damage" for a directory nobody has read yet
        metrics.gauge("credence_journal_damage", "Damaged places the last journal check found in sealed segments "
                + "and snapshots (0 = clean)", () -> lastCheck(journalCheck).damage().size());
        metrics.gauge("credence_journal_check_completed_seconds", "When the last journal check completed (Unix time)",
                () -> lastCheck(journalCheck).finishedAt().getEpochSecond());
        metrics.gauge("credence_catalog_info", "The rating catalog in force (1, labelled by its version)", "version",
                () -> catalog.current().map(c -> Map.of(String.valueOf(c.get("version")), 1L)).orElse(Map.of()));
    }

    /**
     * The chain every HTTP request goes through: count, authenticate (a key, an NRF token or a
     * console session), serve the console's page, answer operations' paths, then the API.
     */
    static Handler front(Handler api, HttpAccess access, io.credence.http.AccessTokens tokens,
                         io.credence.http.console.ConsoleSessions console, EngineGate ledger, Path dataDir,
                         Metrics metrics, JournalCheck journalCheck,
                         java.util.function.Supplier<java.util.Map<String, Object>> moreHealth) {
        Readiness readiness = new Readiness(ledger::writerAlive, dataDir);
        return new Observing(metrics, new io.credence.http.DrainingBodies(new Authenticating(access.apiKeys(), tokens,
                console, new io.credence.http.console.ConsoleHandler(access.apiKeys(), console,
                new Operations(ledger, readiness, metrics, journalCheck, moreHealth, api)))));
    }

    private static JournalVerifier.Report lastCheck(JournalCheck check) {
        JournalVerifier.Report report = check.lastReport();
        if (report == null) {
            throw new IllegalStateException("no journal check has completed yet");
        }
        return report;
    }

    /** Counts each Diameter answer by command and Result-Code and times it; batches as the application does. */
    static ApplicationHandler observed(ApplicationHandler application, Metrics metrics) {
        return new ApplicationHandler() {
            @Override
            public java.util.concurrent.CompletionStage<DiameterMessage> handle(DiameterMessage request,
                                                                                io.credence.diameter.transport.Peer peer) {
                long started = System.nanoTime();
                String command = request.commandCode() == Codes.CREDIT_CONTROL ? "credit-control" : "other";
                return application.handle(request, peer).whenComplete((answer, failed) -> metrics.diameterAnswer(
                        command, answer == null ? -1 : resultCode(answer), System.nanoTime() - started));
            }

            @Override
            public void readComplete(io.credence.diameter.transport.Peer peer) {
                application.readComplete(peer);
            }
        };
    }

    private static long resultCode(DiameterMessage answer) {
        return answer.find(Codes.RESULT_CODE, 0).map(avp -> avp.unsigned32()).orElse(-1L);
    }

    private static <T> T engineQuery(EngineGate engine, java.util.function.Function<io.credence.charging.EngineView, T> query) {
        try {
            return engine.ask(query).get(LEDGER_QUERY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("engine did not answer", e);
        }
    }

    private static long openReservations(EngineGate ledger) {
        // a busy or stopped ledger leaves the gauge out of this scrape (Metrics skips a failing gauge)
        if (!(ledger.query(LedgerView::openReservationCount) instanceof Submission.Accepted<Integer> accepted)) {
            throw new IllegalStateException("ledger busy or stopped");
        }
        try {
            return accepted.answer().get(LEDGER_QUERY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("ledger did not answer", e);
        }
    }
}

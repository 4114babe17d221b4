package io.credence.server;

import io.credence.cluster.ClusterAdmin;
import io.credence.cluster.ClusterConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code credence cluster status|add|remove}: looks at a running Raft group and changes its
 * membership without stopping it. Each subcommand reads a node's cluster file (any member's) to
 * find the group and speaks Raft's own protocol to its members; no HTTP key is involved, so the
 * Raft port must be reachable by operators only (docs/cluster.md).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Look at a Raft group of serve --cluster nodes and change its members (docs/cluster.md).",
        subcommands = {ClusterCommand.Status.class, ClusterCommand.Add.class, ClusterCommand.Remove.class})
final class ClusterCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** What every subcommand needs: the group, from a member's cluster file. */
    abstract static class OnGroup implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--cluster", paramLabel = "FILE", required = true,
                description = "a member's cluster file (group, self, peer.<id> = host:port), as given to serve --cluster")
        Path clusterFile;

        @Override
        public Integer call() {
            ClusterConfig config;
            try {
                config = ClusterConfig.read(clusterFile, Path.of("unused"));
            } catch (IOException | IllegalArgumentException bad) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--cluster: " + bad.getMessage());
            }
            try (ClusterAdmin admin = new ClusterAdmin(config)) {
                return on(admin);
            } catch (IllegalArgumentException refused) {
                throw new CommandLine.ParameterException(spec.commandLine(), refused.getMessage());
            } catch (IllegalStateException | IOException unreachable) {
                System.err.println("credence cluster: " + unreachable.getMessage());
                return Main.EXIT_UNREACHABLE;
            }
        }

        abstract int on(ClusterAdmin admin) throws IOException;
    }

    @Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Every member: role, the leader it follows, last entry's term, commit, applied and snapshot index.",
                    "Exit 0 when a majority answers, 3 when not."})
    static final class Status extends OnGroup {
        @Option(names = "--digest", description = "also the SHA-256 of each member's engine state at its applied index "
                + "(each writes its whole state: run it when the group is quiet; equal index, equal digest)")
        boolean digest;

        @Override
        int on(ClusterAdmin admin) {
            List<ClusterAdmin.MemberStatus> members = admin.status(digest);
            System.out.printf("%-10s %-22s %-11s %-8s %6s %10s %10s %10s%s%n", "MEMBER", "ADDRESS", "ROLE", "LEADER",
                    "TERM", "COMMIT", "APPLIED", "SNAPSHOT", digest ? "  STATE (index sha-256)" : "");
            long answering = 0;
            for (ClusterAdmin.MemberStatus m : members) {
                if (!m.reachable()) {
                    System.out.printf("%-10s %-22s %-11s (%s)%n", m.id(), m.address(), m.role(), m.error());
                    continue;
                }
                answering++;
                System.out.printf("%-10s %-22s %-11s %-8s %6d %10d %10d %10d%s%n", m.id(), m.address(), m.role(),
                        m.leader(), m.lastEntryTerm(), m.commitIndex(), m.appliedIndex(), m.snapshotIndex(),
                        digest ? "  " + m.digestIndex() + " " + m.stateDigest() : "");
            }
            return answering * 2 > admin.currentMembers().size() && answering > 0 ? 0 : Main.EXIT_UNREACHABLE;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Add a member: start it first (serve --cluster with a file naming every member, itself "
                    + "included); the leader copies it the state before it votes.", "Prints the members after the change."})
    static final class Add extends OnGroup {
        @Option(names = "--id", required = true, description = "the new member's id (1-32 of [A-Za-z0-9_-])")
        String id;

        @Option(names = "--address", required = true, paramLabel = "HOST:PORT", description = "its Raft address")
        String address;

        @Override
        int on(ClusterAdmin admin) throws IOException {
            System.out.println("members: " + String.join(", ", admin.add(id, address)));
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Remove a member (a dead one too: the others' majority decides).",
                    "Prints the members after the change."})
    static final class Remove extends OnGroup {
        @Option(names = "--id", required = true, description = "the member to remove")
        String id;

        @Override
        int on(ClusterAdmin admin) throws IOException {
            System.out.println("members: " + String.join(", ", admin.remove(id)));
            return 0;
        }
    }
}

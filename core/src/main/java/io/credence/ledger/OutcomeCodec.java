package io.credence.ledger;

import io.credence.ledger.Outcome.AccountCreated;
import io.credence.ledger.Outcome.AccountUpdated;
import io.credence.ledger.Outcome.Advanced;
import io.credence.ledger.Outcome.Committed;
import io.credence.ledger.Outcome.IdentityBound;
import io.credence.ledger.Outcome.IdentityUnbound;
import io.credence.ledger.Outcome.LinkedApplied;
import io.credence.ledger.Outcome.Released;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Outcome.ToppedUp;
import io.credence.ledger.Outcome.Transferred;
import io.credence.ledger.Rejection.AccountExists;
import io.credence.ledger.Rejection.AccountNotActive;
import io.credence.ledger.Rejection.CommitExceedsReservation;
import io.credence.ledger.Rejection.CreditLimitExceeded;
import io.credence.ledger.Rejection.DuplicateRequest;
import io.credence.ledger.Rejection.Expired;
import io.credence.ledger.Rejection.IdentityTaken;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.InvalidOperation;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.LinkedRejected;
import io.credence.ledger.Rejection.NotASystemAccount;
import io.credence.ledger.Rejection.ReservationClosed;
import io.credence.ledger.Rejection.StaleSequence;
import io.credence.ledger.Rejection.UnknownAccount;
import io.credence.ledger.Rejection.UnknownIdentity;
import io.credence.ledger.Rejection.UnknownReservation;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.credence.ledger.CommandCodec.enumOf;

/** Binary form of outcomes, for the idempotency table inside snapshots. One tag byte, then fields. */
final class OutcomeCodec {
    private OutcomeCodec() {}

    static void write(DataOutput out, Outcome outcome) throws IOException {
        switch (outcome) {
            case AccountCreated o -> { out.writeByte(1); out.writeUTF(o.accountId()); }
            case AccountUpdated o -> { out.writeByte(2); out.writeUTF(o.accountId()); out.writeByte(o.status().ordinal()); }
            case ToppedUp o -> { out.writeByte(3); out.writeLong(o.transferSeq()); out.writeLong(o.bucketId()); }
            case Transferred o -> { out.writeByte(4); out.writeLong(o.transferSeq()); }
            case Reserved o -> {
                out.writeByte(5); out.writeLong(o.reservationId()); out.writeLong(o.amount()); out.writeLong(o.expiresAtMillis());
            }
            case Committed o -> {
                out.writeByte(6); out.writeLong(o.reservationId()); out.writeLong(o.committed());
                out.writeLong(o.released()); out.writeLong(o.overdraft()); out.writeLong(o.transferSeq());
            }
            case Released o -> { out.writeByte(7); out.writeLong(o.reservationId()); out.writeLong(o.released()); }
            case LinkedApplied o -> {
                out.writeByte(8);
                out.writeByte(o.steps().size());
                for (Outcome step : o.steps()) {
                    write(out, step);
                }
            }
            case IdentityBound o -> {
                out.writeByte(9); out.writeByte(o.type().ordinal()); out.writeUTF(o.value()); out.writeUTF(o.accountId());
            }
            case IdentityUnbound o -> {
                out.writeByte(10); out.writeByte(o.type().ordinal()); out.writeUTF(o.value()); out.writeUTF(o.accountId());
            }
            case Advanced o -> {
                out.writeByte(11); out.writeUTF(o.accountId()); out.writeUTF(o.stream()); out.writeLong(o.seq());
                out.writeLong(o.total());
            }
            case Rejection r -> writeRejection(out, r);
        }
    }

    private static void writeRejection(DataOutput out, Rejection rejection) throws IOException {
        switch (rejection) {
            case UnknownAccount r -> { out.writeByte(20); out.writeUTF(r.accountId()); }
            case AccountExists r -> { out.writeByte(21); out.writeUTF(r.accountId()); }
            case AccountNotActive r -> { out.writeByte(22); out.writeUTF(r.accountId()); out.writeByte(r.status().ordinal()); }
            case NotASystemAccount r -> { out.writeByte(23); out.writeUTF(r.accountId()); }
            case InsufficientBalance r -> {
                out.writeByte(24); out.writeUTF(r.accountId()); out.writeByte(r.unit().ordinal());
                out.writeLong(r.requested()); out.writeLong(r.available());
            }
            case CreditLimitExceeded r -> {
                out.writeByte(25); out.writeUTF(r.accountId()); out.writeByte(r.unit().ordinal());
                out.writeLong(r.requested()); out.writeLong(r.available());
            }
            case UnknownReservation r -> { out.writeByte(26); out.writeLong(r.reservationId()); }
            case Expired r -> { out.writeByte(27); out.writeLong(r.reservationId()); out.writeLong(r.expiredAtMillis()); }
            case ReservationClosed r -> { out.writeByte(28); out.writeLong(r.reservationId()); out.writeByte(r.status().ordinal()); }
            case CommitExceedsReservation r -> {
                out.writeByte(29); out.writeLong(r.reservationId()); out.writeLong(r.reserved()); out.writeLong(r.requested());
            }
            case DuplicateRequest r -> { out.writeByte(30); out.writeUTF(r.requestId()); }
            case LimitExceeded r -> { out.writeByte(31); out.writeUTF(r.limit()); out.writeLong(r.max()); }
            case InvalidOperation r -> { out.writeByte(32); out.writeUTF(r.field()); out.writeUTF(r.reason()); }
            case IdentityTaken r -> {
                out.writeByte(34); out.writeByte(r.type().ordinal()); out.writeUTF(r.value()); out.writeUTF(r.accountId());
            }
            case UnknownIdentity r -> { out.writeByte(35); out.writeByte(r.type().ordinal()); out.writeUTF(r.value()); }
            case StaleSequence r -> {
                out.writeByte(36); out.writeUTF(r.accountId()); out.writeUTF(r.stream()); out.writeLong(r.requested());
                out.writeLong(r.last());
            }
            case LinkedRejected r -> { out.writeByte(33); out.writeByte(r.stepIndex()); writeRejection(out, r.cause()); }
        }
    }

    static Outcome read(DataInput in) throws IOException {
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case 1 -> new AccountCreated(in.readUTF());
            case 2 -> new AccountUpdated(in.readUTF(), enumOf(AccountStatus.values(), in));
            case 3 -> new ToppedUp(in.readLong(), in.readLong());
            case 4 -> new Transferred(in.readLong());
            case 5 -> new Reserved(in.readLong(), in.readLong(), in.readLong());
            case 6 -> new Committed(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
            case 7 -> new Released(in.readLong(), in.readLong());
            case 8 -> {
                int count = in.readUnsignedByte();
                List<Outcome> steps = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    steps.add(read(in));
                }
                yield new LinkedApplied(steps);
            }
            case 9 -> new IdentityBound(enumOf(IdentityType.values(), in), in.readUTF(), in.readUTF());
            case 10 -> new IdentityUnbound(enumOf(IdentityType.values(), in), in.readUTF(), in.readUTF());
            case 11 -> new Advanced(in.readUTF(), in.readUTF(), in.readLong(), in.readLong());
            default -> readRejection(tag, in);
        };
    }

    private static Rejection readRejection(int tag, DataInput in) throws IOException {
        return switch (tag) {
            case 20 -> new UnknownAccount(in.readUTF());
            case 21 -> new AccountExists(in.readUTF());
            case 22 -> new AccountNotActive(in.readUTF(), enumOf(AccountStatus.values(), in));
            case 23 -> new NotASystemAccount(in.readUTF());
            case 24 -> new InsufficientBalance(in.readUTF(), enumOf(Unit.values(), in), in.readLong(), in.readLong());
            case 25 -> new CreditLimitExceeded(in.readUTF(), enumOf(Unit.values(), in), in.readLong(), in.readLong());
            case 26 -> new UnknownReservation(in.readLong());
            case 27 -> new Expired(in.readLong(), in.readLong());
            case 28 -> new ReservationClosed(in.readLong(), enumOf(ReservationStatus.values(), in));
            case 29 -> new CommitExceedsReservation(in.readLong(), in.readLong(), in.readLong());
            case 30 -> new DuplicateRequest(in.readUTF());
            case 31 -> new LimitExceeded(in.readUTF(), in.readLong());
            case 32 -> new InvalidOperation(in.readUTF(), in.readUTF());
            case 33 -> {
                int stepIndex = in.readUnsignedByte();
                yield new LinkedRejected(stepIndex, readRejection(in.readUnsignedByte(), in));
            }
            case 34 -> new IdentityTaken(enumOf(IdentityType.values(), in), in.readUTF(), in.readUTF());
            case 35 -> new UnknownIdentity(enumOf(IdentityType.values(), in), in.readUTF());
            case 36 -> new StaleSequence(in.readUTF(), in.readUTF(), in.readLong(), in.readLong());
            default -> throw new IOException("unknown outcome tag " + tag);
        };
    }
}

package io.credence.ledger;

import io.credence.ledger.Operation.BindIdentity;
import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.UnbindIdentity;
import io.credence.ledger.Operation.UpdateAccount;
import io.credence.ledger.Outcome.AccountCreated;
import io.credence.ledger.Outcome.AccountUpdated;
import io.credence.ledger.Outcome.IdentityBound;
import io.credence.ledger.Outcome.IdentityUnbound;
import io.credence.ledger.Rejection.AccountExists;
import io.credence.ledger.Rejection.AccountNotActive;
import io.credence.ledger.Rejection.IdentityTaken;
import io.credence.ledger.Rejection.InvalidOperation;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.UnknownAccount;
import io.credence.ledger.Rejection.UnknownIdentity;

import java.util.Map;

import static io.credence.ledger.LedgerInvariants.check;

/**
 * Provisioning: opening accounts, changing their status and credit limits, and binding the
 * subscriber identities charging requests look them up by. None of these is a linked step, so
 * none keeps an undo entry. Accounts are never removed: closing one only changes its status.
 */
final class AccountRegistry {
    private final LedgerLimits limits;
    private final Map<String, Account> accounts;
    private final Map<SubscriberIdentity, Account> identities;
    private final UndoLog undo;

    AccountRegistry(LedgerLimits limits, Map<String, Account> accounts, Map<SubscriberIdentity, Account> identities,
                    UndoLog undo) {
        this.limits = limits;
        this.accounts = accounts;
        this.identities = identities;
        this.undo = undo;
    }

    Outcome createAccount(CreateAccount op) {
        if (accounts.containsKey(op.accountId())) {
            return new AccountExists(op.accountId());
        }
        if (accounts.size() >= limits.accountsMax()) {
            return new LimitExceeded("accountsMax", limits.accountsMax());
        }
        Account account = new Account(op.accountId(), op.kind());
        account.setCreditLimits(op.creditLimits());
        accounts.put(account.id, account);
        return new AccountCreated(account.id);
    }

    Outcome updateAccount(UpdateAccount op) {
        Account account = accounts.get(op.accountId());
        if (account == null) {
            return new UnknownAccount(op.accountId());
        }
        if (account.status == AccountStatus.CLOSED) {
            return new AccountNotActive(account.id, account.status);
        }
        if (op.creditLimits() != null) {
            for (Unit unit : Unit.values()) {
                Bucket main = account.main(unit);
                long used = main == null ? 0 : -(main.amount - main.reserved);
                long limit = op.creditLimits().getOrDefault(unit, 0L);
                if (account.kind != AccountKind.SYSTEM && used > limit) {
                    return new InvalidOperation("creditLimits." + unit,
                            "account '" + account.id + "' already uses " + used + " of credit");
                }
            }
        }
        if (op.status() != null) {
            account.status = op.status();
        }
        if (op.creditLimits() != null) {
            account.setCreditLimits(op.creditLimits());
        }
        return new AccountUpdated(account.id, account.status);
    }

    /**
     * A SUSPENDED account may gain identities (provisioning often precedes activation); a CLOSED
     * one may not. Closing an account leaves its identities bound: a number is freed only by an
     * explicit unbind, so it never passes to someone else by accident.
     */
    Outcome bindIdentity(BindIdentity op) {
        check(!undo.recording(), "identities are not linked steps, so there is nothing to undo");
        Account account = accounts.get(op.accountId());
        if (account == null) {
            return new UnknownAccount(op.accountId());
        }
        if (account.status == AccountStatus.CLOSED) {
            return new AccountNotActive(account.id, account.status);
        }
        SubscriberIdentity identity = op.identity();
        Account holder = identities.get(identity);
        if (holder == account) {
            // A repeat under a new request id (a provisioning system re-sending its state) is fine.
            return new IdentityBound(op.type(), op.value(), account.id);
        }
        if (holder != null) {
            return new IdentityTaken(op.type(), op.value(), holder.id);
        }
        if (identities.size() >= limits.identitiesMax()) {
            return new LimitExceeded("identitiesMax", limits.identitiesMax());
        }
        identities.put(identity, account);
        account.addIdentity(identity);
        check(identities.size() <= limits.identitiesMax(), "identities within identitiesMax");
        return new IdentityBound(op.type(), op.value(), account.id);
    }

    Outcome unbindIdentity(UnbindIdentity op) {
        check(!undo.recording(), "identities are not linked steps, so there is nothing to undo");
        SubscriberIdentity identity = op.identity();
        Account holder = identities.remove(identity);
        if (holder == null) {
            return new UnknownIdentity(op.type(), op.value());
        }
        holder.removeIdentity(identity);
        return new IdentityUnbound(op.type(), op.value(), holder.id);
    }
}

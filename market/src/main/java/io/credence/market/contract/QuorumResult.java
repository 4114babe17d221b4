package io.credence.market.contract;

import java.util.List;

/** Whether a contract is effective: enough distinct configured validators approved it. */
public sealed interface QuorumResult {
    /** @param validators the validators whose approvals counted, sorted */
    record Effective(List<String> validators) implements QuorumResult {
        public Effective {
            validators = List.copyOf(validators);
        }
    }

    /** @param reason how many approvals counted, of how many required, and why the others did not */
    record NotEffective(String reason) implements QuorumResult {}
}

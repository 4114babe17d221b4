-- Usage records (CDRs) shipped from the JSON lines files under <data>/records.
-- record_id is the idempotency key: the ledger request id of the charge, so a record written twice
-- (a retried commit, a batch re-sent after a crash) is stored once.
CREATE TABLE usage_records (
    record_id       text        PRIMARY KEY,
    at              timestamptz NOT NULL,
    account_id      text        NOT NULL,
    origin          text        NOT NULL,
    session_id      text,
    service         text        NOT NULL,
    rating_group    bigint      NOT NULL,  -- -1: the request named none
    decision        text        NOT NULL CHECK (decision IN ('CHARGED', 'FREE', 'UNRATED')),
    rule            text,
    tariff          text,
    unit            text        NOT NULL,
    raw_units       bigint      NOT NULL CHECK (raw_units >= 0),
    effective_units bigint      NOT NULL CHECK (effective_units >= 0),
    price           bigint      NOT NULL CHECK (price >= 0),  -- in the currency's minor unit
    currency        text,
    attributes      jsonb       NOT NULL,  -- {"name": "value", ...}
    balances        jsonb       NOT NULL,  -- [{"accountId": ..., "unit": ..., "amount": ...}, ...]
    request_ids     jsonb       NOT NULL,  -- ["ledger request id", ...]
    shipped_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX usage_records_account_at ON usage_records (account_id, at);
CREATE INDEX usage_records_session ON usage_records (session_id);

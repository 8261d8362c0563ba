-- +goose Up
-- The journal is the source of truth; every other table is a projection of
-- it that `greenmall verify` rebuilds and compares. One schema serves
-- SQLite and PostgreSQL: BIGINT and TEXT only, booleans as 0/1.
CREATE TABLE journal (
    seq    BIGINT PRIMARY KEY,
    at     BIGINT NOT NULL,
    type   TEXT   NOT NULL,
    actor  TEXT   NOT NULL,
    data   TEXT   NOT NULL,
    idem   TEXT UNIQUE,      -- "<actor>|<Idempotency-Key>"
    result TEXT   NOT NULL   -- the answer given, for idempotent repeats
);
CREATE INDEX journal_actor ON journal (actor, seq);

CREATE TABLE members (
    id TEXT PRIMARY KEY, phone TEXT NOT NULL, name TEXT NOT NULL, code TEXT NOT NULL,
    referrer TEXT NOT NULL, parent TEXT NOT NULL, slot BIGINT NOT NULL, team TEXT NOT NULL,
    peer_up TEXT NOT NULL, role TEXT NOT NULL, level TEXT NOT NULL, unlocked BIGINT NOT NULL,
    exits BIGINT NOT NULL, available BIGINT NOT NULL, frozen BIGINT NOT NULL, withdrawing BIGINT NOT NULL,
    points_upt BIGINT NOT NULL, shares BIGINT NOT NULL, self_spend BIGINT NOT NULL, banned BIGINT NOT NULL,
    ban_reason TEXT NOT NULL, staff_of TEXT NOT NULL, joined_at BIGINT NOT NULL
);
CREATE INDEX members_phone ON members (phone);
CREATE INDEX members_referrer ON members (referrer);

CREATE TABLE operators (
    id TEXT PRIMARY KEY, login TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, created_at BIGINT NOT NULL
);

CREATE TABLE products (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, price_fen BIGINT NOT NULL, stock BIGINT NOT NULL,
    profile TEXT NOT NULL, images TEXT NOT NULL, gift BIGINT NOT NULL, active BIGINT NOT NULL,
    descr TEXT NOT NULL, updated_at BIGINT NOT NULL
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY, member TEXT NOT NULL, status TEXT NOT NULL, amount_fen BIGINT NOT NULL,
    lines TEXT NOT NULL, address TEXT NOT NULL, region TEXT NOT NULL, pickup TEXT NOT NULL,
    pay_method TEXT NOT NULL, gateway_txn TEXT NOT NULL, carrier TEXT NOT NULL, tracking TEXT NOT NULL,
    reason TEXT NOT NULL, created_at BIGINT NOT NULL, paid_at BIGINT NOT NULL, shipped_at BIGINT NOT NULL,
    completed_at BIGINT NOT NULL, settled_at BIGINT NOT NULL, closed_at BIGINT NOT NULL
);
CREATE INDEX orders_member ON orders (member, created_at);
CREATE INDEX orders_status ON orders (status, created_at);

CREATE TABLE service_points (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, region TEXT NOT NULL,
    address TEXT NOT NULL, staff TEXT NOT NULL, stock TEXT NOT NULL, created_at BIGINT NOT NULL
);

CREATE TABLE withdrawals (
    id TEXT PRIMARY KEY, member TEXT NOT NULL, amount_fen BIGINT NOT NULL, fee_fen BIGINT NOT NULL,
    account TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, transfer_ref TEXT NOT NULL,
    requested_at BIGINT NOT NULL, reviewed_at BIGINT NOT NULL, reviewed_by TEXT NOT NULL, paid_at BIGINT NOT NULL
);
CREATE INDEX withdrawals_member ON withdrawals (member, requested_at);
CREATE INDEX withdrawals_status ON withdrawals (status, requested_at);

CREATE TABLE region_agents (
    tier TEXT NOT NULL, code TEXT NOT NULL, member TEXT NOT NULL, at BIGINT NOT NULL,
    PRIMARY KEY (tier, code)
);

CREATE TABLE plan_versions (
    version BIGINT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL, document TEXT NOT NULL
);

CREATE TABLE balances (
    account TEXT PRIMARY KEY, member TEXT NOT NULL, kind TEXT NOT NULL, balance BIGINT NOT NULL
);

CREATE TABLE ledger_lines (
    seq BIGINT NOT NULL, n BIGINT NOT NULL, at BIGINT NOT NULL, account TEXT NOT NULL, member TEXT NOT NULL,
    amount BIGINT NOT NULL, reason TEXT NOT NULL, ref TEXT NOT NULL,
    PRIMARY KEY (seq, n)
);
CREATE INDEX ledger_lines_member ON ledger_lines (member, seq);

CREATE TABLE price_history (
    seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, pool_fen BIGINT NOT NULL, supply_upt BIGINT NOT NULL
);

CREATE TABLE periods (
    period TEXT PRIMARY KEY
);

-- Sessions are not journaled: they move no money, and a lost session only
-- means logging in again.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY, principal TEXT NOT NULL, created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL, revoked BIGINT NOT NULL
);
CREATE INDEX sessions_principal ON sessions (principal);

-- +goose Down
DROP TABLE sessions; DROP TABLE periods; DROP TABLE price_history; DROP TABLE ledger_lines;
DROP TABLE balances; DROP TABLE plan_versions; DROP TABLE region_agents; DROP TABLE withdrawals;
DROP TABLE service_points; DROP TABLE orders; DROP TABLE products; DROP TABLE operators;
DROP TABLE members; DROP TABLE journal;

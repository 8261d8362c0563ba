-- +goose Up
-- A member's ledger history is the only query by member, and most lines of
-- a settlement are the platform's and the pools' (member ''): indexing only
-- members' lines saves most of the index writes of each settlement. Queries
-- repeat the condition (member <> '') so both databases use the index.
DROP INDEX ledger_lines_member;
CREATE INDEX ledger_lines_member ON ledger_lines (member, seq) WHERE member <> '';

-- +goose Down
DROP INDEX ledger_lines_member;
CREATE INDEX ledger_lines_member ON ledger_lines (member, seq);

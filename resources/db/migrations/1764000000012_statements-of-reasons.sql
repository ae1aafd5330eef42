-- Up Migration
-- Statements of reasons (EU DSA Art. 17, issue 15): one per carried-out decision that restricts something
-- (warn, remove, remove_and_ban), a person's or the agent's. The worker writes it once
-- (worker.record_statement) before the decision's first platform action, and each action of the decision
-- carries this stored copy in the webhook body, so a retry sends the same bytes. Never changed afterwards;
-- persons read it (the case view, `guardian statements export`).
CREATE TABLE statements (
  decision_id         text PRIMARY KEY,   -- the decision's command id; `auto:<case>` for the agent's own
  case_id             uuid NOT NULL REFERENCES cases (id),
  decision            text NOT NULL CHECK (decision IN ('warn', 'remove', 'remove_and_ban')),
  automated_decision  boolean NOT NULL,
  automated_detection boolean NOT NULL,
  body                jsonb NOT NULL,     -- src/shared/statement.ts StatementOfReasons
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX statements_case_idx ON statements (case_id);
-- The export's time window (`--from`, `--to`).
CREATE INDEX statements_created_idx ON statements (created_at);

-- Down Migration
DROP TABLE statements;

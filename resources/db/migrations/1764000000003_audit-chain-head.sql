-- Up Migration
-- One round trip instead of two for every audit append: take the stream's append lock, then read the
-- chain head and the transaction time. PL/pgSQL runs the SELECT as its own statement after the lock is
-- held, so under READ COMMITTED it sees the head another transaction committed while we waited (the chain
-- never forks). The hash itself stays in the application (canonical JSON), see audit-repo.ts.
CREATE FUNCTION audit_chain_head(p_stream text, OUT head text, OUT at timestamptz)
  LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('audit:' || p_stream));
  SELECT e.hash INTO head FROM audit_events e WHERE e.stream = p_stream ORDER BY e.id DESC LIMIT 1;
  at := now();
END $$;

-- Down Migration
DROP FUNCTION audit_chain_head(text);

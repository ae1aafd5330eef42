-- The database time before which every committed change to `cases` is visible to a read that starts after
-- this call (the queue's incremental reads: cases:list updatedSince). `updated_at` is now() of the writing
-- transaction, i.e. when it *started*: a transaction still running commits rows stamped with its start. So
-- the watermark is the start of the oldest transaction in progress in this database (or now), read before
-- the data. The owner reads every session's xact_start (pg_read_all_stats); a person could not see other
-- logins' sessions and would need a margin. A transaction open for over a minute (a leaked session) is not
-- waited for.
CREATE OR REPLACE FUNCTION api.change_watermark() RETURNS timestamptz
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT date_trunc('milliseconds',
           GREATEST(LEAST(now(), min(a.xact_start)), now() - interval '60 seconds')
           - CASE WHEN bool_or(a.query = '<insufficient privilege>') THEN interval '5 seconds' ELSE interval '0' END)
    FROM pg_stat_activity a
   WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
     AND coalesce(a.backend_type, 'client backend') = 'client backend'
$$;
COMMENT ON FUNCTION api.change_watermark() IS 'Where the next incremental read of cases starts (database time, see the file).';
GRANT EXECUTE ON FUNCTION api.change_watermark() TO guardian_moderator, guardian_worker;

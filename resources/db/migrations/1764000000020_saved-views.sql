-- Up Migration
-- Saved views (issue 14): the queue's filters and sort under a name, the team's (owner_id NULL, kept by
-- supervisors and admins) and each person's own. Written only by api.save_view / api.delete_view
-- (audited), read only through api.saved_views (the team's and the caller's own): no login touches the
-- table (privileges.sql).
CREATE TABLE saved_views (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id    text REFERENCES moderators (id),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  filters     jsonb NOT NULL CHECK (jsonb_typeof(filters) = 'object'),
  sort        text NOT NULL CHECK (sort IN ('priority', 'waiting', 'severity')),
  created_by  text NOT NULL REFERENCES moderators (id),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX saved_views_name ON saved_views (coalesce(owner_id, ''), lower(name));

-- Down Migration
DROP TABLE saved_views;

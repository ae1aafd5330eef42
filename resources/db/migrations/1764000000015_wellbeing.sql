-- Up Migration
-- Wellbeing (issue 15): the categories a person opts out of seeing at once (shown blurred until revealed,
-- each reveal audited as content.revealed by api.record_reveal) and after how many sensitive cases this
-- session the workstation suggests a break (NULL: the installation's GUARDIAN_BREAK_AFTER). One row per
-- person, written only by api.set_wellbeing for the caller's own person and read only through
-- api.my_wellbeing: nobody else's login reads or changes it (privileges.sql grants nothing on it).
CREATE TABLE wellbeing_settings (
  person_id         text PRIMARY KEY REFERENCES moderators (id),
  hidden_categories text[] NOT NULL DEFAULT '{}'
                    CHECK (hidden_categories <@ ARRAY['violence', 'self_harm', 'sexual', 'hate']::text[]),
  break_after       int CHECK (break_after IS NULL OR break_after BETWEEN 0 AND 1000),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE wellbeing_settings;

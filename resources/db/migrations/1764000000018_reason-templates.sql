-- Up Migration
-- Reason templates (issue 14): policy-linked decision reasons with placeholders ({category}, {author},
-- {policy}, {content}), the team's (owner_id NULL, kept by supervisors and admins) and each person's own.
-- Written only by api.save_reason_template / api.delete_reason_template (audited), read only through
-- api.reason_templates (the team's and the caller's own): no login touches the table (privileges.sql).
CREATE TABLE reason_templates (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id    text REFERENCES moderators (id),
  title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 80),
  body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
  category    text CHECK (category IN ('harassment', 'hate', 'violence', 'sexual', 'self_harm', 'spam', 'personal_data')),
  created_by  text NOT NULL REFERENCES moderators (id),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX reason_templates_title ON reason_templates (coalesce(owner_id, ''), lower(title));

-- Down Migration
DROP TABLE reason_templates;

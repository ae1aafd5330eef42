-- Up Migration
-- An edited post (content.submitted again for a contentId, with another text; worker.edit_content): the case
-- holds the current text, the audit's content.edited events hold every earlier one (append-only, hashed).
ALTER TABLE cases
  -- how many times the text was replaced
  ADD COLUMN text_edits int NOT NULL DEFAULT 0,
  -- the submittedAt of the message the current text came from (NULL: the first one's, submitted_at); an
  -- older message arriving late is not an edit
  ADD COLUMN text_submitted_at timestamptz,
  -- database time of the latest edit
  ADD COLUMN text_edited_at timestamptz,
  -- database time of the latest edit that came after the case was decided: the decision was made on an
  -- earlier text (it stands; the UI says so)
  ADD COLUMN edited_after_decision_at timestamptz;

-- Down Migration
ALTER TABLE cases
  DROP COLUMN edited_after_decision_at,
  DROP COLUMN text_edited_at,
  DROP COLUMN text_submitted_at,
  DROP COLUMN text_edits;

-- Up Migration
-- The team's minimum client version (issue 13): set by an admin (api.set_minimum_version), read by every
-- person and the worker (api.minimum_version). A person's command from a client that reports an older
-- version (or none) is refused with GWUPD (private.require_current_client) and changes nothing. NULL: no
-- minimum, every client may send commands.
ALTER TABLE private.installation
  ADD COLUMN minimum_client_version text
    -- major.minor.patch with an optional pre-release and build (semver 2.0.0), at most 64 characters
    CHECK (length(minimum_client_version) <= 64 AND minimum_client_version ~
      '^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$'),
  -- who set it and when (the audit's release.minimum_version events hold every change)
  ADD COLUMN minimum_version_set_by text,
  ADD COLUMN minimum_version_set_at timestamptz;

-- Down Migration
ALTER TABLE private.installation
  DROP COLUMN minimum_version_set_at,
  DROP COLUMN minimum_version_set_by,
  DROP COLUMN minimum_client_version;

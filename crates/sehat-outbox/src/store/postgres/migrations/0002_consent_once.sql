-- A consent record is kept once: the same action for the same subject and scope, at the
-- same time, from the same source with the same evidence (a webhook Meta delivered twice,
-- a file imported twice) adds nothing. Copies recorded before this migration are merged,
-- keeping the first recorded.
DELETE FROM outbox_consent later USING outbox_consent first
WHERE later.subject = first.subject AND later.scope = first.scope
  AND later.action = first.action AND later.at = first.at AND later.source = first.source
  AND COALESCE(later.reference, '') = COALESCE(first.reference, '')
  AND later.id > first.id;
CREATE UNIQUE INDEX outbox_consent_once
    ON outbox_consent (subject, scope, action, at, source, COALESCE(reference, ''));

-- A consent record is kept once: the same action for the same subject and scope, at the
-- same time, from the same source with the same evidence (a webhook Meta delivered twice,
-- a file imported twice) adds nothing. Copies recorded before this migration are merged,
-- keeping the first recorded.
DELETE FROM consent WHERE id NOT IN (
    SELECT MIN(id) FROM consent
    GROUP BY subject, scope, action, at, source, IFNULL(reference, '')
);
CREATE UNIQUE INDEX consent_once
    ON consent (subject, scope, action, at, source, IFNULL(reference, ''));

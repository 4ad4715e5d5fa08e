-- Messages, consent, subject aliases and send lanes.
-- Nothing here holds a phone number, wa_id, BSUID or wamid: subjects are keyed
-- pseudonyms, `token` is an AES-SIV token, `wamid_mac` a keyed MAC.

CREATE TABLE message (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,
    subject     TEXT    NOT NULL,
    token       TEXT,                       -- NULL once purged
    purpose     TEXT    NOT NULL,
    template    TEXT    NOT NULL,
    language    TEXT    NOT NULL,
    params      TEXT,                       -- JSON object; NULL once purged
    timezone    TEXT    NOT NULL,
    not_before  INTEGER NOT NULL,           -- microseconds since the Unix epoch, UTC
    not_after   INTEGER,
    state       TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    worker      TEXT,
    lease_until INTEGER,
    sending_at  INTEGER,                    -- set, durably, before the request leaves
    wamid_mac   TEXT,
    error_code  INTEGER,
    reason      TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- The claim reads only this index: it holds scheduled rows alone, so finished history
-- never makes a claim slower.
CREATE INDEX message_due ON message (not_before) WHERE state = 'scheduled';
-- Recovery reads only claimed rows.
CREATE INDEX message_claimed ON message (lease_until) WHERE state = 'claimed';
CREATE UNIQUE INDEX message_wamid ON message (wamid_mac) WHERE wamid_mac IS NOT NULL;

CREATE TABLE consent (
    id          INTEGER PRIMARY KEY,
    subject     TEXT    NOT NULL,
    scope       TEXT    NOT NULL,           -- a purpose, or 'all'
    action      TEXT    NOT NULL,           -- 'opt_in' | 'opt_out'
    at          INTEGER NOT NULL,
    source      TEXT    NOT NULL,
    reference   TEXT,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX consent_subject ON consent (subject, at);

CREATE TABLE subject_alias (
    alias     TEXT PRIMARY KEY,
    canonical TEXT NOT NULL
);

CREATE TABLE lane (
    lane            TEXT PRIMARY KEY,
    next_slot       INTEGER NOT NULL DEFAULT 0,
    throttled_until INTEGER NOT NULL DEFAULT 0
);

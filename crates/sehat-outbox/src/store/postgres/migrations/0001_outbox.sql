-- Messages, the due queue, claim leases, consent, subject aliases and send lanes.
-- Nothing here holds a phone number, wa_id, BSUID or wamid: subjects are keyed
-- pseudonyms, `token` is an AES-SIV token, `wamid_mac` a keyed MAC.
-- Instants are bigint microseconds since the Unix epoch, UTC (as in the SQLite backend).

-- Every message ever scheduled; finished rows stay here for counts and status webhooks.
-- No index on state: claims never read this table by state, so state changes stay
-- HOT updates (no index writes) as long as the page has room (fillfactor 70).
CREATE TABLE outbox_message (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         text    NOT NULL UNIQUE,
    subject     text    NOT NULL,
    token       text,                       -- NULL once purged
    purpose     text    NOT NULL,
    template    text    NOT NULL,
    language    text    NOT NULL,
    params      text,                       -- JSON object; NULL once purged
    timezone    text    NOT NULL,
    not_before  bigint  NOT NULL,
    not_after   bigint,
    state       text    NOT NULL,
    attempts    integer NOT NULL DEFAULT 0,
    worker      text,
    lease_id    bigint,
    lease_until bigint,
    sending_at  bigint,                     -- set, durably, before the request leaves
    wamid_mac   text,
    error_code  bigint,
    reason      text,
    created_at  bigint  NOT NULL,
    updated_at  bigint  NOT NULL
) WITH (fillfactor = 70);

-- The due queue: one narrow row per `scheduled` message (same not_before as the message),
-- deleted when it is claimed or ends. Claims read only this table, from a cursor, so
-- finished history (in outbox_message) never makes a claim slower.
CREATE TABLE outbox_due (
    not_before bigint NOT NULL,
    id         bigint NOT NULL,
    PRIMARY KEY (not_before, id)
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);

-- One lease per claimed batch (not per message): recovery reads only expired leases.
CREATE SEQUENCE outbox_lease_id;
CREATE TABLE outbox_lease (
    id          bigint  PRIMARY KEY,
    worker      text    NOT NULL,
    lease_until bigint  NOT NULL,
    ids         bigint[] NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
CREATE INDEX outbox_lease_until ON outbox_lease (lease_until);

-- Status webhooks find their message by the wamid's MAC.
CREATE TABLE outbox_wamid (
    wamid_mac text   PRIMARY KEY,
    id        bigint NOT NULL
);

CREATE TABLE outbox_consent (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject     text    NOT NULL,
    scope       text    NOT NULL,           -- a purpose, or 'all'
    action      text    NOT NULL,           -- 'opt_in' | 'opt_out'
    at          bigint  NOT NULL,
    source      text    NOT NULL,
    reference   text,
    recorded_at bigint  NOT NULL
);
CREATE INDEX outbox_consent_subject ON outbox_consent (subject, at DESC, id DESC);

CREATE TABLE outbox_alias (
    alias     text PRIMARY KEY,
    canonical text NOT NULL
);
CREATE INDEX outbox_alias_canonical ON outbox_alias (canonical);

-- Fleet-wide pacing and throttles: one row per lane (business number or recipient).
CREATE TABLE outbox_lane (
    lane            text   PRIMARY KEY,
    next_slot       bigint NOT NULL DEFAULT 0,
    throttled_until bigint NOT NULL DEFAULT 0
);

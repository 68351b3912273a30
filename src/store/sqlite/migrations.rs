//! Versioned schema migrations, compiled into the binary and applied at start.
//!
//! Migrations are append-only: a released step is never edited, a change is a new step.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::StoreResult;

const STEPS: &[&str] = &[
    // 1: customers, their API keys, the event log and server settings.
    r#"
    CREATE TABLE customers (
        id          TEXT PRIMARY KEY,
        email       TEXT NOT NULL UNIQUE COLLATE NOCASE,
        plan        TEXT NOT NULL,
        status      TEXT NOT NULL,
        brand_name  TEXT,
        created_at  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE api_keys (
        id           TEXT PRIMARY KEY,
        customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        key_hash     BLOB NOT NULL UNIQUE,
        prefix       TEXT NOT NULL,
        scope        TEXT NOT NULL CHECK (scope IN ('owner', 'member', 'read-only')),
        label        TEXT NOT NULL DEFAULT '',
        created_at   INTEGER NOT NULL,
        revoked_at   INTEGER
    ) STRICT;
    CREATE INDEX api_keys_customer ON api_keys(customer_id);

    -- Without AUTOINCREMENT: ids still only grow, as rows are never deleted but with their
    -- customer, and each insert does not rewrite sqlite_sequence as well.
    CREATE TABLE events (
        id           INTEGER PRIMARY KEY,
        customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        type         TEXT NOT NULL,
        data         TEXT NOT NULL,
        created_at   INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX events_customer ON events(customer_id, id);
    CREATE INDEX events_customer_type ON events(customer_id, type, id);

    CREATE TABLE settings (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL
    ) STRICT;
    "#,
    // 2: site intelligence: stored audits and versioned brand profiles.
    r#"
    CREATE TABLE audits (
        id           TEXT PRIMARY KEY,
        customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        kind         TEXT NOT NULL CHECK (kind IN ('seo', 'cro')),
        url          TEXT NOT NULL,
        score        INTEGER NOT NULL,
        report       TEXT NOT NULL,
        created_at   INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX audits_by_url ON audits(customer_id, kind, url, created_at);
    CREATE INDEX audits_by_time ON audits(customer_id, created_at);

    CREATE TABLE brand_profiles (
        customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        version      INTEGER NOT NULL,
        url          TEXT NOT NULL,
        profile      TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        PRIMARY KEY (customer_id, version)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 3: language-model token usage per customer, day and engine.
    r#"
    CREATE TABLE llm_usage (
        customer_id    TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        day            TEXT NOT NULL,
        engine         TEXT NOT NULL,
        calls          INTEGER NOT NULL,
        input_tokens   INTEGER NOT NULL,
        output_tokens  INTEGER NOT NULL,
        PRIMARY KEY (customer_id, day, engine)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 4: content items and their lifecycle.
    r#"
    CREATE TABLE content (
        id           TEXT PRIMARY KEY,
        customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        format       TEXT NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('draft', 'approved', 'rejected', 'scheduled', 'published')),
        item         TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX content_by_state ON content(customer_id, state, updated_at);
    CREATE INDEX content_by_time ON content(customer_id, updated_at);
    "#,
    // 5: each customer's default writing engine (NULL: auto).
    r#"
    ALTER TABLE customers ADD COLUMN engine TEXT CHECK (engine IN ('auto', 'sampling', 'server', 'offline'));
    "#,
    // 6: the durable job queue.
    r#"
    CREATE TABLE jobs (
        id               INTEGER PRIMARY KEY,
        customer_id      TEXT REFERENCES customers(id) ON DELETE CASCADE,
        kind             TEXT NOT NULL,
        payload          TEXT NOT NULL,
        state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'dead')),
        run_at           INTEGER NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        max_attempts     INTEGER NOT NULL,
        last_error       TEXT,
        lease_owner      TEXT,
        lease_until      INTEGER,
        idempotency_key  TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX jobs_idempotency ON jobs(kind, idempotency_key) WHERE idempotency_key IS NOT NULL;
    CREATE INDEX jobs_due ON jobs(state, run_at);
    CREATE INDEX jobs_by_customer ON jobs(customer_id, updated_at);
    "#,
    // 7: webhook subscriptions and their deliveries. The signing secret is sealed by the vault;
    // each delivery's body is fixed when the event is fanned out, so every attempt sends the same
    // bytes under the same id. The fan-out cursor starts at the newest event: history is not sent.
    r#"
    CREATE TABLE webhooks (
        id               TEXT PRIMARY KEY,
        customer_id      TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        url              TEXT NOT NULL,
        events           TEXT NOT NULL,
        secret           TEXT NOT NULL,
        enabled          INTEGER NOT NULL DEFAULT 1,
        failures         INTEGER NOT NULL DEFAULT 0,
        disabled_reason  TEXT,
        after_event      INTEGER NOT NULL,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX webhooks_customer ON webhooks(customer_id, enabled);
    CREATE TABLE webhook_deliveries (
        id            TEXT PRIMARY KEY,
        webhook_id    TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event_id      INTEGER NOT NULL,
        type          TEXT NOT NULL,
        body          TEXT NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_status   INTEGER,
        last_error    TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        delivered_at  INTEGER,
        UNIQUE (webhook_id, event_id)
    ) STRICT;
    CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries(webhook_id, created_at);
    INSERT INTO settings (key, value) SELECT 'webhooks_cursor', coalesce(max(id), 0) FROM events;
    "#,
    // 8: social channels (credentials sealed by the vault) and the posts sent through them.
    r#"
    CREATE TABLE channels (
        customer_id   TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        platform      TEXT NOT NULL,
        account       TEXT NOT NULL,
        config        TEXT NOT NULL,
        secret        TEXT NOT NULL,
        connected_at  INTEGER NOT NULL,
        PRIMARY KEY (customer_id, platform)
    ) STRICT;
    CREATE TABLE posts (
        id            TEXT PRIMARY KEY,
        customer_id   TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        content_id    TEXT,
        platform      TEXT NOT NULL,
        text          TEXT NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('queued', 'published', 'failed')),
        run_at        INTEGER NOT NULL,
        remote_id     TEXT,
        url           TEXT,
        error         TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        published_at  INTEGER
    ) STRICT;
    CREATE INDEX posts_by_customer ON posts(customer_id, created_at);
    CREATE INDEX posts_by_content ON posts(customer_id, content_id);
    "#,
    // 9: each customer's time zone, cron schedules of workflows, and the briefings they write.
    r#"
    ALTER TABLE customers ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
    CREATE TABLE schedules (
        customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        workflow     TEXT NOT NULL,
        cron         TEXT NOT NULL,
        enabled      INTEGER NOT NULL DEFAULT 1,
        next_run_at  INTEGER,
        last_run_at  INTEGER,
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (customer_id, workflow)
    ) STRICT;
    CREATE INDEX schedules_due ON schedules(enabled, next_run_at);
    CREATE TABLE briefings (
        id           TEXT PRIMARY KEY,
        customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        trigger      TEXT NOT NULL,
        briefing     TEXT NOT NULL,
        created_at   INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX briefings_by_customer ON briefings(customer_id, created_at);
    "#,
    // 10: a queued post can be cancelled. SQLite cannot change a CHECK constraint, so the table
    // is rebuilt with its rows.
    r#"
    CREATE TABLE posts_new (
        id            TEXT PRIMARY KEY,
        customer_id   TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        content_id    TEXT,
        platform      TEXT NOT NULL,
        text          TEXT NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('queued', 'published', 'failed', 'cancelled')),
        run_at        INTEGER NOT NULL,
        remote_id     TEXT,
        url           TEXT,
        error         TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        published_at  INTEGER
    ) STRICT;
    INSERT INTO posts_new SELECT * FROM posts;
    DROP TABLE posts;
    ALTER TABLE posts_new RENAME TO posts;
    CREATE INDEX posts_by_customer ON posts(customer_id, created_at);
    CREATE INDEX posts_by_content ON posts(customer_id, content_id);
    "#,
    // 11: `tool.called`, one per tool call and most of the log, leaves the type index: reads of
    // it walk `events_customer`, where it is dense, and every call costs one index insert fewer.
    r#"
    DROP INDEX events_customer_type;
    CREATE INDEX events_customer_type ON events(customer_id, type, id) WHERE type <> 'tool.called';
    "#,
    // 12: content may be a `brief` (no model wrote it; the caller's submit_draft will). A CHECK
    // cannot be altered in SQLite, so the table is rebuilt; nothing references it.
    r#"
    CREATE TABLE content_new (
        id           TEXT PRIMARY KEY,
        customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        format       TEXT NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('brief', 'draft', 'approved', 'rejected', 'scheduled', 'published')),
        item         TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
    ) STRICT;
    INSERT INTO content_new SELECT * FROM content;
    DROP TABLE content;
    ALTER TABLE content_new RENAME TO content;
    CREATE INDEX content_by_state ON content(customer_id, state, updated_at);
    CREATE INDEX content_by_time ON content(customer_id, updated_at);
    "#,
    // 13: the first-party collector. A site's settings (domains, time zone, goals) are one JSON
    // document; a visit is a session (30 minutes without a hit end it) with where it came from;
    // a hit is a pageview (`name` NULL) or a custom event. `visitor` is a salted hash whose salt
    // lives only in `collector_salts` and rotates daily; no IP address or user agent is stored.
    r#"
    CREATE TABLE sites (
        id           TEXT PRIMARY KEY,
        customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        name         TEXT NOT NULL,
        settings     TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX sites_by_customer ON sites(customer_id, created_at);

    CREATE TABLE visits (
        id             INTEGER PRIMARY KEY,
        site_id        TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        visitor        TEXT NOT NULL,
        started_at     INTEGER NOT NULL,
        last_at        INTEGER NOT NULL,
        entry_path     TEXT NOT NULL,
        exit_path      TEXT NOT NULL,
        pageviews      INTEGER NOT NULL,
        events         INTEGER NOT NULL,
        channel        TEXT NOT NULL,
        source         TEXT NOT NULL,
        referrer_host  TEXT,
        utm_source     TEXT,
        utm_medium     TEXT,
        utm_campaign   TEXT,
        utm_term       TEXT,
        utm_content    TEXT,
        click_id       TEXT,
        screen         TEXT,
        email_hash     TEXT
    ) STRICT;
    CREATE INDEX visits_by_start ON visits(site_id, started_at);
    CREATE INDEX visits_by_visitor ON visits(site_id, visitor, last_at);

    CREATE TABLE hits (
        id        INTEGER PRIMARY KEY,
        site_id   TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        visit_id  INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
        at        INTEGER NOT NULL,
        name      TEXT,
        path      TEXT NOT NULL,
        props     TEXT
    ) STRICT;
    CREATE INDEX hits_by_time ON hits(site_id, at);
    CREATE INDEX hits_by_visit ON hits(visit_id);

    CREATE TABLE collector_salts (
        day   INTEGER PRIMARY KEY,
        salt  BLOB NOT NULL
    ) STRICT;
    "#,
    // 14: revenue. An order (amount in the currency's minor unit) keeps the touchpoints that
    // led to it as they were when it was tracked, and its refunds, whose sum `refunded` holds.
    r#"
    CREATE TABLE orders (
        customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        order_id     TEXT NOT NULL,
        amount       INTEGER NOT NULL CHECK (amount > 0),
        currency     TEXT NOT NULL,
        occurred_at  INTEGER NOT NULL,
        refunded     INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
        metadata     TEXT,
        created_at   INTEGER NOT NULL,
        PRIMARY KEY (customer_id, order_id)
    ) STRICT;
    CREATE INDEX orders_by_time ON orders(customer_id, occurred_at);

    CREATE TABLE order_touchpoints (
        customer_id   TEXT NOT NULL,
        order_id      TEXT NOT NULL,
        position      INTEGER NOT NULL,
        at            INTEGER NOT NULL,
        channel       TEXT NOT NULL,
        source        TEXT NOT NULL,
        medium        TEXT,
        campaign      TEXT,
        landing_page  TEXT,
        PRIMARY KEY (customer_id, order_id, position),
        FOREIGN KEY (customer_id, order_id) REFERENCES orders(customer_id, order_id) ON DELETE CASCADE
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE refunds (
        customer_id  TEXT NOT NULL,
        order_id     TEXT NOT NULL,
        refund_id    TEXT NOT NULL,
        amount       INTEGER NOT NULL CHECK (amount > 0),
        occurred_at  INTEGER NOT NULL,
        PRIMARY KEY (customer_id, order_id, refund_id),
        FOREIGN KEY (customer_id, order_id) REFERENCES orders(customer_id, order_id) ON DELETE CASCADE
    ) STRICT;

    CREATE INDEX visits_by_email ON visits(site_id, email_hash) WHERE email_hash IS NOT NULL;
    "#,
    // 15: the collector resumes open visits at start by when they began, across sites: without
    // this index it read every visit ever stored. `started_at` never changes, so a hit costs
    // no extra index write.
    r#"
    CREATE INDEX visits_by_started ON visits(started_at);
    "#,
    // 16: a site's closed local days (no hit can change them any more) keep their counts, so a
    // period reads them back instead of counting every hit again. Keyed by the settings the
    // counts depend on (time zone, goals); gone with the site, and cleared when it changes.
    r#"
    CREATE TABLE stats_days (
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        variant TEXT NOT NULL,
        day     TEXT NOT NULL,
        facts   TEXT NOT NULL,
        PRIMARY KEY (site_id, variant, day)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 17: the hits of a period are read by time with their kind, path and visit (pageviews,
    // top pages, goals): the time index carries those columns, so counting the open days reads
    // the index alone instead of every hit's row. It replaces the narrower one, so a hit still
    // costs two index writes.
    r#"
    DROP INDEX hits_by_time;
    CREATE INDEX hits_by_time ON hits(site_id, at, name, path, visit_id);
    "#,
    // 18: AI visibility runs, each stored whole with its summary apart, so a list or a trend
    // reads the summaries without the answers.
    r#"
    CREATE TABLE visibility_runs (
        id          TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        trigger     TEXT NOT NULL,
        run         TEXT NOT NULL,
        summary     TEXT NOT NULL,
        created_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX visibility_runs_by_customer ON visibility_runs(customer_id, created_at);
    "#,
    // 19: leads, known by their normalised email per customer, with their scores in columns
    // (lists filter and sort on them; the breakdown is worked out when a lead is read); each customer's ideal customer profile; and the
    // suppression list, which keeps only a hash of an erased or unsubscribed address.
    r#"
    CREATE TABLE leads (
        id          TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        email       TEXT NOT NULL,
        fields      TEXT NOT NULL,
        source      TEXT,
        stage       TEXT NOT NULL DEFAULT 'new',
        fit         INTEGER,
        intent      INTEGER NOT NULL DEFAULT 0,
        grade       TEXT,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        UNIQUE (customer_id, email)
    ) STRICT;
    CREATE TABLE icps (
        customer_id TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
        icp         TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE suppressions (
        customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        hash        TEXT NOT NULL,
        reason      TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (customer_id, hash)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 20: what leads did that heycmo saw itself (a form capture, later an email opened or
    // answered), read when their intent is scored; gone with the lead.
    r#"
    CREATE TABLE lead_actions (
        id          INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        lead_id     TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        action      TEXT NOT NULL,
        at          INTEGER NOT NULL,
        detail      TEXT
    ) STRICT;
    CREATE INDEX lead_actions_by_customer ON lead_actions(customer_id, lead_id);
    "#,
    // 21: email sequences. A send's row (with its Message-ID) exists before its mail; unsubscribe
    // tokens are kept hashed with the suppression hash they put on the list, and outlive an
    // erased lead (only the hash stays); inbound messages are remembered by key so a relay that
    // posts one twice changes nothing the second time.
    r#"
    CREATE TABLE sequences (
        id          TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        definition  TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('active', 'paused')),
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX sequences_by_customer ON sequences(customer_id, created_at);
    CREATE TABLE enrollments (
        id          TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        sequence_id TEXT NOT NULL REFERENCES sequences(id) ON DELETE CASCADE,
        lead_id     TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        state       TEXT NOT NULL CHECK (state IN ('active', 'completed', 'stopped')),
        stop_reason TEXT,
        step        INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        UNIQUE (sequence_id, lead_id)
    ) STRICT;
    CREATE INDEX enrollments_by_lead ON enrollments(lead_id, state);
    CREATE TABLE sends (
        id            TEXT PRIMARY KEY,
        customer_id   TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        enrollment_id TEXT NOT NULL REFERENCES enrollments(id) ON DELETE CASCADE,
        step          INTEGER NOT NULL,
        message_id    TEXT NOT NULL UNIQUE,
        state         TEXT NOT NULL
                      CHECK (state IN ('scheduled', 'sending', 'sent', 'skipped', 'failed')),
        due_at        INTEGER NOT NULL,
        sent_at       INTEGER,
        attempts      INTEGER NOT NULL DEFAULT 0,
        detail        TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        UNIQUE (enrollment_id, step)
    ) STRICT;
    CREATE TABLE unsubscribe_tokens (
        hash             TEXT PRIMARY KEY,
        customer_id      TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        lead_id          TEXT REFERENCES leads(id) ON DELETE SET NULL,
        suppression_hash TEXT NOT NULL,
        created_at       INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX unsubscribe_tokens_by_lead ON unsubscribe_tokens(lead_id);
    CREATE TABLE inbound_messages (
        customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        key         TEXT NOT NULL,
        at          INTEGER NOT NULL,
        PRIMARY KEY (customer_id, key)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE inbound_secrets (
        customer_id TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
        sealed      TEXT NOT NULL,
        created_at  INTEGER NOT NULL
    ) STRICT;
    "#,
    // 22: sign-ups (Stripe checkout or a local trial) with the key sealed until it is handed
    // over once, Stripe's view of each customer's subscription, and the Stripe events applied
    // (by id, so a redelivery changes nothing).
    r#"
    ALTER TABLE customers ADD COLUMN trial_ends_at INTEGER;
    CREATE TABLE signups (
        id           TEXT PRIMARY KEY,
        email        TEXT NOT NULL,
        provider     TEXT NOT NULL CHECK (provider IN ('stripe', 'local')),
        customer_id  TEXT REFERENCES customers(id) ON DELETE CASCADE,
        sealed_key   TEXT,
        failure      TEXT,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        claimed_at   INTEGER
    ) STRICT;
    CREATE TABLE billing (
        stripe_customer TEXT PRIMARY KEY,
        customer_id     TEXT UNIQUE REFERENCES customers(id) ON DELETE CASCADE,
        subscription    TEXT,
        status          TEXT,
        plan            TEXT,
        trial_ends_at   INTEGER,
        -- Stripe's time of the newest event applied: an older one arriving late is ignored.
        as_of           INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE stripe_events (
        id           TEXT PRIMARY KEY,
        type         TEXT NOT NULL,
        received_at  INTEGER NOT NULL
    ) STRICT;
    "#,
    // 23: people's sessions on the pages and one-time sign-in links, by the SHA-256 of the
    // secret; each acts with the key it was made for, so revoking the key ends it.
    r#"
    CREATE TABLE logins (
        hash        BLOB PRIMARY KEY,
        key_id      TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        ended_at    INTEGER
    ) STRICT;
    CREATE TABLE login_links (
        hash        BLOB PRIMARY KEY,
        key_id      TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        used_at     INTEGER
    ) STRICT;
    CREATE INDEX logins_by_key ON logins (key_id);
    CREATE INDEX login_links_by_key ON login_links (key_id);
    "#,
    // 24: each customer's onboarding: the profile step (a job reads the site) and the brand
    // interview's answers.
    r#"
    CREATE TABLE onboarding (
        customer_id      TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
        url              TEXT,
        profile_state    TEXT NOT NULL,
        profile_error    TEXT,
        profile_version  INTEGER,
        answers          TEXT NOT NULL,
        started_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        completed_at     INTEGER
    ) STRICT;
    "#,
    // 25: the status page's readiness probes (kept 8 days) and the incidents they open.
    r#"
    CREATE TABLE probes (
        at         INTEGER NOT NULL,
        component  TEXT NOT NULL,
        ok         INTEGER NOT NULL,
        detail     TEXT NOT NULL
    ) STRICT;
    CREATE INDEX probes_by_component ON probes (component, at);
    CREATE INDEX probes_by_time ON probes (at);
    CREATE TABLE incidents (
        id           INTEGER PRIMARY KEY,
        component    TEXT NOT NULL,
        opened_at    INTEGER NOT NULL,
        resolved_at  INTEGER,
        detail       TEXT NOT NULL
    ) STRICT;
    CREATE INDEX incidents_open ON incidents (component) WHERE resolved_at IS NULL;
    "#,
];

pub(super) fn apply(conn: &mut Connection) -> StoreResult<()> {
    let migrations = Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect());
    migrations.to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_survives_the_rebuild_that_admits_briefs() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        let up_to = |n: usize| Migrations::new(STEPS[..n].iter().map(|sql| M::up(sql)).collect());
        up_to(11).to_latest(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO customers (id, email, plan, status, created_at) VALUES ('cus_a', 'a@example.com', 'p', 'active', 1);
             INSERT INTO content VALUES ('cnt_a', 'cus_a', 'blog', 'approved', '{}', 1, 2);",
        )
        .unwrap();
        let brief = "INSERT INTO content VALUES ('cnt_b', 'cus_a', 'blog', 'brief', '{}', 1, 2)";
        assert!(conn.execute(brief, []).is_err());
        up_to(STEPS.len()).to_latest(&mut conn).unwrap();
        let kept: String = conn
            .query_row("SELECT state FROM content WHERE id = 'cnt_a'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(kept, "approved");
        conn.execute(brief, []).unwrap();
        assert!(
            conn.execute(
                "INSERT INTO content VALUES ('cnt_c', 'cus_a', 'blog', 'lost', '{}', 1, 2)",
                []
            )
            .is_err()
        );
    }

    #[test]
    fn migrations_are_valid() {
        let migrations = Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect());
        migrations.validate().unwrap();
    }
}

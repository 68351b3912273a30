//! The `sites`, `visits`, `hits` and `collector_salts` tables, and the hit writer's batch.

use super::{Sqlite, batch, write_transaction};
use crate::store::{
    ActiveVisit, Breakdown, GoalFilter, HitWriter, Millis, NewHit, SiteFacts, SiteRecord,
    SiteStore, StatsQuery, StoreError, StoreResult, Totals,
};
use async_trait::async_trait;

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

fn from_row(row: &Row<'_>) -> rusqlite::Result<SiteRecord> {
    Ok(SiteRecord {
        id: row.get("id")?,
        customer_id: row.get("customer_id")?,
        name: row.get("name")?,
        settings: row.get("settings")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound(format!("No site {id}"))
}

/// Writes one batch of hits: each creates or extends its visit, then is inserted; hits of a
/// site (or visit) deleted meanwhile match no row and are skipped.
fn write_hits(conn: &mut Connection, hits: &[NewHit]) -> rusqlite::Result<()> {
    let tx = write_transaction(conn)?;
    {
        let mut start = tx.prepare_cached(
            "INSERT OR IGNORE INTO visits (id, site_id, visitor, started_at, last_at, entry_path, exit_path,
                 pageviews, events, channel, source, referrer_host, utm_source, utm_medium, utm_campaign,
                 utm_term, utm_content, click_id, screen, email_hash)
             SELECT ?1, ?2, ?3, ?4, ?4, ?5, ?5, 0, 0, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16
             WHERE EXISTS (SELECT 1 FROM sites WHERE id = ?2)",
        )?;
        let mut extend = tx.prepare_cached(
            "UPDATE visits SET
                 exit_path = CASE WHEN ?2 >= last_at AND ?3 THEN ?4 ELSE exit_path END,
                 last_at = max(last_at, ?2),
                 pageviews = pageviews + ?3,
                 events = events + (1 - ?3),
                 email_hash = coalesce(?5, email_hash)
             WHERE id = ?1",
        )?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO hits (site_id, visit_id, at, name, path, props)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM visits WHERE id = ?2)",
        )?;
        for hit in hits {
            if let Some(s) = &hit.start {
                start.execute(params![
                    hit.visit_id,
                    hit.site_id,
                    s.visitor,
                    hit.at,
                    s.entry_path,
                    s.channel,
                    s.source,
                    s.referrer_host,
                    s.utm_source,
                    s.utm_medium,
                    s.utm_campaign,
                    s.utm_term,
                    s.utm_content,
                    s.click_id,
                    s.screen,
                    hit.email_hash,
                ])?;
            }
            // An identify call records who, not a hit of its own.
            let identify = hit.event.as_deref() == Some(crate::store::IDENTIFY);
            if identify {
                tx.prepare_cached("UPDATE visits SET email_hash = ?2 WHERE id = ?1")?
                    .execute(params![hit.visit_id, hit.email_hash])?;
                continue;
            }
            let pageview = hit.event.is_none();
            extend.execute(params![
                hit.visit_id,
                hit.at,
                pageview,
                hit.path,
                hit.email_hash
            ])?;
            insert.execute(params![
                hit.site_id,
                hit.visit_id,
                hit.at,
                hit.event,
                hit.path,
                hit.props
            ])?;
        }
    }
    tx.commit()
}

/// The condition on `hits` that a hit reaches one of `goals` (`0` for none), with its arguments
/// numbered from `first`.
fn goal_condition(goals: &[GoalFilter], first: usize) -> (String, Vec<Sql>) {
    let mut args = Vec::new();
    let mut parts = Vec::new();
    for goal in goals {
        let n = first + args.len();
        match goal {
            GoalFilter::Path(path) => {
                parts.push(format!("(name IS NULL AND path = ?{n})"));
                args.push(Sql::Text(path.clone()));
            }
            GoalFilter::PathPrefix(prefix) => {
                parts.push(format!(
                    "(name IS NULL AND substr(path, 1, ?{n}) = ?{})",
                    n + 1
                ));
                args.push(Sql::Integer(prefix.chars().count() as i64));
                args.push(Sql::Text(prefix.clone()));
            }
            GoalFilter::Event(name) => {
                parts.push(format!("name = ?{n}"));
                args.push(Sql::Text(name.clone()));
            }
        }
    }
    if parts.is_empty() {
        ("0".to_owned(), args)
    } else {
        (format!("({})", parts.join(" OR ")), args)
    }
}

/// The site and period arguments every stats statement starts with (`?1`, `?2`, `?3`).
fn period(query: &StatsQuery, from: Millis, to: Millis) -> Vec<Sql> {
    vec![
        Sql::Text(query.site_id.clone()),
        Sql::Integer(from),
        Sql::Integer(to),
    ]
}

fn count(conn: &Connection, sql: &str, args: Vec<Sql>) -> rusqlite::Result<u64> {
    conn.prepare_cached(sql)?
        .query_row(params_from_iter(args), |row| row.get::<_, i64>(0))
        .map(|n| n.max(0) as u64)
}

/// Rows of a breakdown whose first `keys` columns are the key and the rest up to three counts.
fn breakdown(
    conn: &Connection,
    sql: &str,
    args: Vec<Sql>,
    keys: usize,
) -> rusqlite::Result<Vec<Breakdown>> {
    let mut statement = conn.prepare_cached(sql)?;
    let counts = statement.column_count() - keys;
    let rows = statement.query_map(params_from_iter(args), |row| {
        let number = |i: usize| -> rusqlite::Result<u64> {
            Ok(if i < counts {
                row.get::<_, Option<i64>>(keys + i)?.unwrap_or(0).max(0) as u64
            } else {
                0
            })
        };
        Ok(Breakdown {
            key: (0..keys).map(|i| row.get(i)).collect::<Result<_, _>>()?,
            visits: number(0)?,
            second: number(1)?,
            third: number(2)?,
        })
    })?;
    rows.collect()
}

fn totals(conn: &Connection, query: &StatsQuery) -> rusqlite::Result<Totals> {
    let (from, to) = (query.from, query.to);
    let (visits, visitors, bounces, duration) = conn
        .prepare_cached(
            "SELECT count(*), count(DISTINCT visitor), coalesce(sum(pageviews <= 1 AND events = 0), 0),
                    coalesce(sum(last_at - started_at), 0)
             FROM visits WHERE site_id = ?1 AND started_at >= ?2 AND started_at < ?3",
        )?
        .query_row(params_from_iter(period(query, from, to)), |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })?;
    let pageviews = count(
        conn,
        "SELECT count(*) FROM hits WHERE site_id = ?1 AND at >= ?2 AND at < ?3 AND name IS NULL",
        period(query, from, to),
    )?;
    let conversions = if query.goals.is_empty() {
        0
    } else {
        let (condition, goal_args) = goal_condition(&query.goals, 4);
        let mut args = period(query, from, to);
        args.extend(goal_args);
        count(
            conn,
            &format!(
                "SELECT count(DISTINCT visit_id) FROM hits
                 WHERE site_id = ?1 AND at >= ?2 AND at < ?3 AND {condition}"
            ),
            args,
        )?
    };
    let positive = |n: i64| n.max(0) as u64;
    Ok(Totals {
        visits: positive(visits),
        visitors: positive(visitors),
        pageviews,
        bounces: positive(bounces),
        duration_ms: positive(duration),
        conversions,
    })
}

fn facts(conn: &Connection, query: &StatsQuery) -> rusqlite::Result<SiteFacts> {
    let (from, to, top) = (query.from, query.to, query.top as i64);
    let all = || period(query, from, to);
    let mut series = Vec::with_capacity(query.buckets.len());
    for (label, start, end) in &query.buckets {
        let visits = conn
            .prepare_cached(
                "SELECT count(*), count(DISTINCT visitor) FROM visits
                 WHERE site_id = ?1 AND started_at >= ?2 AND started_at < ?3",
            )?
            .query_row(params_from_iter(period(query, *start, *end)), |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
            })?;
        let pageviews = count(
            conn,
            "SELECT count(*) FROM hits WHERE site_id = ?1 AND at >= ?2 AND at < ?3 AND name IS NULL",
            period(query, *start, *end),
        )?;
        series.push((
            label.clone(),
            visits.0.max(0) as u64,
            visits.1.max(0) as u64,
            pageviews,
        ));
    }
    let with_top = |mut args: Vec<Sql>| {
        args.push(Sql::Integer(top));
        args
    };
    let visits_by = |columns: &str, filter: &str, extra: &str, keys: usize| {
        breakdown(
            conn,
            &format!(
                "SELECT {columns}, count(*), count(DISTINCT visitor){extra} FROM visits
                 WHERE site_id = ?1 AND started_at >= ?2 AND started_at < ?3{filter}
                 GROUP BY {columns} ORDER BY count(*) DESC, {columns} LIMIT ?4"
            ),
            with_top(all()),
            keys,
        )
    };
    let pages = breakdown(
        conn,
        "SELECT path, count(DISTINCT visit_id), count(*) FROM hits
         WHERE site_id = ?1 AND at >= ?2 AND at < ?3 AND name IS NULL
         GROUP BY path ORDER BY count(*) DESC, path LIMIT ?4",
        with_top(all()),
        1,
    )?;
    let entries = visits_by("entry_path", "", ", sum(pageviews <= 1 AND events = 0)", 1)?;
    let sources = visits_by("source", "", "", 1)?;
    let campaigns = visits_by(
        "utm_campaign, utm_source, utm_medium",
        " AND utm_campaign IS NOT NULL",
        "",
        3,
    )?;
    // Conversions per channel: the converting hits joined to their visit by its key (a join
    // the other way round scanned the converting visits once per visit).
    let mut channels = visits_by("channel", "", "", 1)?;
    if !query.goals.is_empty() {
        let (condition, goal_args) = goal_condition(&query.goals, 4);
        let mut args = all();
        args.extend(goal_args);
        let converted = breakdown(
            conn,
            &format!(
                "SELECT v.channel, count(DISTINCT h.visit_id) FROM hits h JOIN visits v ON v.id = h.visit_id
                 WHERE h.site_id = ?1 AND h.at >= ?2 AND h.at < ?3 AND {condition}
                   AND v.started_at >= ?2 AND v.started_at < ?3
                 GROUP BY v.channel"
            ),
            args,
            1,
        )?;
        for channel in &mut channels {
            channel.third = converted
                .iter()
                .find(|c| c.key == channel.key)
                .map_or(0, |c| c.visits);
        }
    }
    let mut goals = Vec::with_capacity(query.goals.len());
    for goal in &query.goals {
        let (condition, goal_args) = goal_condition(std::slice::from_ref(goal), 4);
        let mut args = all();
        args.extend(goal_args);
        goals.push(count(
            conn,
            &format!(
                "SELECT count(DISTINCT visit_id) FROM hits
                 WHERE site_id = ?1 AND at >= ?2 AND at < ?3 AND {condition}"
            ),
            args,
        )?);
    }
    Ok(SiteFacts {
        totals: totals(conn, query)?,
        series,
        pages,
        entries,
        sources,
        channels,
        campaigns,
        goals,
    })
}

#[async_trait]
impl SiteStore for Sqlite {
    async fn site_facts(&self, query: StatsQuery) -> StoreResult<SiteFacts> {
        self.run(move |conn| Ok(facts(conn, &query)?)).await
    }

    async fn kept_days(
        &self,
        site: &str,
        variant: &str,
        from: &str,
        to: &str,
    ) -> StoreResult<Vec<(String, String)>> {
        let (site, variant, from, to) = (
            site.to_owned(),
            variant.to_owned(),
            from.to_owned(),
            to.to_owned(),
        );
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT day, facts FROM stats_days
                 WHERE site_id = ?1 AND variant = ?2 AND day >= ?3 AND day <= ?4",
            )?;
            let rows = statement
                .query_map(params![site, variant, from, to], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn keep_day(&self, site: &str, variant: &str, day: &str, facts: &str) -> StoreResult<()> {
        let (site, variant, day, facts) = (
            site.to_owned(),
            variant.to_owned(),
            day.to_owned(),
            facts.to_owned(),
        );
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO stats_days (site_id, variant, day, facts)
                 SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM sites WHERE id = ?1)",
            )?
            .execute(params![site, variant, day, facts])?;
            Ok(())
        })
        .await
    }

    async fn create_site(&self, site: SiteRecord) -> StoreResult<()> {
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            tx.execute(
                "INSERT INTO sites (id, customer_id, name, settings, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    site.id,
                    site.customer_id,
                    site.name,
                    site.settings,
                    site.created_at,
                    site.updated_at
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn sites(&self, customer: &str) -> StoreResult<Vec<SiteRecord>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT * FROM sites WHERE customer_id = ?1 ORDER BY created_at, id",
            )?;
            let rows = statement.query_map([customer], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn site(&self, customer: &str, id: &str) -> StoreResult<Option<SiteRecord>> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT * FROM sites WHERE customer_id = ?1 AND id = ?2")?
                .query_row([customer, id], from_row)
                .optional()?)
        })
        .await
    }

    async fn collecting_site(&self, id: &str) -> StoreResult<Option<SiteRecord>> {
        let id = id.to_owned();
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT * FROM sites WHERE id = ?1")?
                .query_row([id], from_row)
                .optional()?)
        })
        .await
    }

    async fn update_site(
        &self,
        customer: &str,
        id: &str,
        name: &str,
        settings: &str,
        at: Millis,
    ) -> StoreResult<()> {
        let (customer, id, name, settings) = (
            customer.to_owned(),
            id.to_owned(),
            name.to_owned(),
            settings.to_owned(),
        );
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let changed = tx.execute(
                "UPDATE sites SET name = ?3, settings = ?4, updated_at = ?5
                 WHERE customer_id = ?1 AND id = ?2",
                params![customer, id, name, settings, at],
            )?;
            if changed == 0 {
                return Err(not_found(&id));
            }
            // Kept days were counted under the old time zone and goals.
            tx.execute("DELETE FROM stats_days WHERE site_id = ?1", params![id])?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn delete_site(&self, customer: &str, id: &str) -> StoreResult<()> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let deleted = tx.execute(
                "DELETE FROM sites WHERE customer_id = ?1 AND id = ?2",
                [&customer, &id],
            )?;
            if deleted == 0 {
                return Err(not_found(&id));
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    fn hit_writer(&self) -> StoreResult<HitWriter> {
        batch::spawn(self.dedicated_connection()?, "heycmo-hits", write_hits)
    }

    async fn active_visits(&self, since: Millis, began: Millis) -> StoreResult<Vec<ActiveVisit>> {
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT site_id, visitor, id, last_at, started_at FROM visits
                 WHERE started_at >= ?2 AND last_at >= ?1",
            )?;
            let rows = statement.query_map([since, began], |row| {
                Ok(ActiveVisit {
                    site_id: row.get(0)?,
                    visitor: row.get(1)?,
                    visit_id: row.get(2)?,
                    last_at: row.get(3)?,
                    started_at: row.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn salt(&self, day: i64) -> StoreResult<Vec<u8>> {
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            tx.execute("DELETE FROM collector_salts WHERE day < ?1", [day - 1])?;
            let fresh: [u8; 32] = rand::random();
            tx.execute(
                "INSERT OR IGNORE INTO collector_salts (day, salt) VALUES (?1, ?2)",
                params![day, fresh.as_slice()],
            )?;
            let salt: Vec<u8> = tx.query_row(
                "SELECT salt FROM collector_salts WHERE day = ?1",
                [day],
                |row| row.get(0),
            )?;
            tx.commit()?;
            Ok(salt)
        })
        .await
    }
}

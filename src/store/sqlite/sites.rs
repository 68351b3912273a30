//! The `sites`, `visits`, `hits` and `collector_salts` tables, and the hit writer's batch.

use super::{Sqlite, batch, write_transaction};
use crate::store::{
    ActiveVisit, HitWriter, Millis, NewHit, SiteRecord, SiteStore, StoreError, StoreResult,
};
use async_trait::async_trait;

use rusqlite::{Connection, OptionalExtension, Row, params};

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

#[async_trait]
impl SiteStore for Sqlite {
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

    async fn active_visits(&self, since: Millis) -> StoreResult<Vec<ActiveVisit>> {
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT site_id, visitor, id, last_at FROM visits WHERE last_at >= ?1",
            )?;
            let rows = statement.query_map([since], |row| {
                Ok(ActiveVisit {
                    site_id: row.get(0)?,
                    visitor: row.get(1)?,
                    visit_id: row.get(2)?,
                    last_at: row.get(3)?,
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

//! The `briefings` table, and the pipeline facts a briefing reports, counted with SQL over
//! `content`, `posts` and `events` (`json_extract` on the events' payloads).

use super::{Sqlite, events, write_transaction};
use crate::store::{BriefingRecord, BriefingStore, Millis, NewEvent, PipelineFacts, StoreResult};
use async_trait::async_trait;

use rusqlite::{Row, params};

fn from_row(row: &Row<'_>) -> rusqlite::Result<BriefingRecord> {
    Ok(BriefingRecord {
        id: row.get("id")?,
        trigger: row.get("trigger")?,
        briefing: row.get("briefing")?,
        created_at: row.get("created_at")?,
    })
}

#[async_trait]
impl BriefingStore for Sqlite {
    async fn pipeline_facts(&self, customer: &str, since: Millis) -> StoreResult<PipelineFacts> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let pairs = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> StoreResult<Vec<(String, u32)>> {
                let mut statement = conn.prepare_cached(sql)?;
                let rows = statement.query_map(args, |row| Ok((row.get(0)?, row.get(1)?)))?;
                Ok(rows.collect::<Result<_, _>>()?)
            };
            let content = pairs(
                "SELECT state, count(*) FROM content WHERE customer_id = ?1 GROUP BY state ORDER BY state",
                &[&customer],
            )?;
            let posts = pairs(
                "SELECT state, count(*) FROM posts WHERE customer_id = ?1 GROUP BY state ORDER BY state",
                &[&customer],
            )?;
            let events = pairs(
                "SELECT type, count(*) FROM events WHERE customer_id = ?1 AND created_at >= ?2 AND type NOT LIKE 'tool.%'
                 GROUP BY type ORDER BY count(*) DESC, type",
                &[&customer, &since],
            )?;
            let published: u32 = conn
                .prepare_cached("SELECT count(*) FROM posts WHERE customer_id = ?1 AND published_at >= ?2")?
                .query_row(params![customer, since], |row| row.get(0))?;
            let waiting = |state: &str| -> StoreResult<Vec<(String, String)>> {
                let mut statement = conn.prepare_cached(
                    "SELECT id, json_extract(item, '$.title') FROM content WHERE customer_id = ?1 AND state = ?2
                     ORDER BY updated_at LIMIT 10",
                )?;
                let rows = statement.query_map([&customer, state], |row| Ok((row.get(0)?, row.get(1)?)))?;
                Ok(rows.collect::<Result<_, _>>()?)
            };
            let drafts = waiting("draft")?;
            let briefs = waiting("brief")?;
            let failed = conn
                .prepare_cached(
                    "SELECT id, platform, coalesce(error, '') FROM posts WHERE customer_id = ?1 AND state = 'failed'
                     ORDER BY updated_at DESC LIMIT 10",
                )?
                .query_map([&customer], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect::<Result<_, _>>()?;
            Ok(PipelineFacts {
                content,
                drafts,
                briefs,
                posts,
                published,
                failed,
                events,
            })
        })
        .await
    }

    async fn save_briefing(
        &self,
        customer: &str,
        record: BriefingRecord,
        event: NewEvent,
    ) -> StoreResult<()> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            tx.prepare_cached(
                "INSERT INTO briefings (id, customer_id, trigger, briefing, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![record.id, customer, record.trigger, record.briefing, record.created_at])?;
            events::insert(&tx, &event)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn briefings(&self, customer: &str, limit: u32) -> StoreResult<Vec<BriefingRecord>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT * FROM briefings WHERE customer_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2",
            )?;
            let rows = statement.query_map(params![customer, limit], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}

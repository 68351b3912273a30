//! The `llm_usage` table: one row per customer, UTC day and engine, summed by an upsert.

use super::Sqlite;
use crate::store::{Millis, StoreResult, UsageRecord, UsageStore};
use async_trait::async_trait;

use rusqlite::params;

#[async_trait]
impl UsageStore for Sqlite {
    async fn record_usage(
        &self,
        customer: &str,
        at: Millis,
        engine: &str,
        input: u64,
        output: u64,
    ) -> StoreResult<()> {
        let day = chrono::DateTime::from_timestamp_millis(at)
            .unwrap_or_default()
            .format("%Y-%m-%d")
            .to_string();
        let (customer, engine) = (customer.to_owned(), engine.to_owned());
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT INTO llm_usage (customer_id, day, engine, calls, input_tokens, output_tokens)
                 VALUES (?1, ?2, ?3, 1, ?4, ?5)
                 ON CONFLICT (customer_id, day, engine) DO UPDATE SET
                   calls = calls + 1,
                   input_tokens = input_tokens + excluded.input_tokens,
                   output_tokens = output_tokens + excluded.output_tokens",
            )?
            .execute(params![customer, day, engine, input as i64, output as i64])?;
            Ok(())
        })
        .await
    }

    async fn usage(&self, customer: &str) -> StoreResult<Vec<UsageRecord>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT day, engine, calls, input_tokens, output_tokens FROM llm_usage
                 WHERE customer_id = ?1 ORDER BY day DESC, engine",
            )?;
            let rows = statement.query_map([customer], |row| {
                Ok(UsageRecord {
                    day: row.get(0)?,
                    engine: row.get(1)?,
                    calls: row.get::<_, i64>(2)? as u64,
                    input_tokens: row.get::<_, i64>(3)? as u64,
                    output_tokens: row.get::<_, i64>(4)? as u64,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}

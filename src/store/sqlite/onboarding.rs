//! The `onboarding` table, one row per customer.

use super::{Sqlite, jobs, write_transaction};
use crate::store::{
    Millis, NewEvent, NewJob, OnboardingRecord, OnboardingStore, StoreError, StoreResult,
};
use async_trait::async_trait;

use rusqlite::{Connection, OptionalExtension, Row, params};

fn from_row(row: &Row<'_>) -> rusqlite::Result<OnboardingRecord> {
    Ok(OnboardingRecord {
        customer_id: row.get("customer_id")?,
        url: row.get("url")?,
        profile_state: row.get("profile_state")?,
        profile_error: row.get("profile_error")?,
        profile_version: row.get("profile_version")?,
        answers: row.get("answers")?,
        started_at: row.get("started_at")?,
        updated_at: row.get("updated_at")?,
        completed_at: row.get("completed_at")?,
    })
}

fn read(conn: &Connection, customer_id: &str) -> rusqlite::Result<Option<OnboardingRecord>> {
    conn.prepare_cached("SELECT * FROM onboarding WHERE customer_id = ?1")?
        .query_row([customer_id], from_row)
        .optional()
}

fn not_started(customer_id: &str) -> StoreError {
    StoreError::NotFound(format!(
        "Onboarding of {customer_id} has not started: start_onboarding first"
    ))
}

#[async_trait]
impl OnboardingStore for Sqlite {
    async fn onboarding(&self, customer_id: &str) -> StoreResult<Option<OnboardingRecord>> {
        let customer_id = customer_id.to_owned();
        self.run(move |conn| Ok(read(conn, &customer_id)?)).await
    }

    async fn start_onboarding(
        &self,
        customer_id: &str,
        url: Option<&str>,
        profile_state: &str,
        job: Option<NewJob>,
        at: Millis,
    ) -> StoreResult<OnboardingRecord> {
        let (customer_id, url, state) = (
            customer_id.to_owned(),
            url.map(str::to_owned),
            profile_state.to_owned(),
        );
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            tx.execute(
                "INSERT INTO onboarding (customer_id, url, profile_state, answers, started_at, updated_at)
                 VALUES (?1, ?2, ?3, '{}', ?4, ?4)
                 ON CONFLICT (customer_id) DO UPDATE SET
                   url = excluded.url, profile_state = excluded.profile_state,
                   profile_error = NULL, profile_version = NULL,
                   started_at = excluded.started_at, updated_at = excluded.updated_at",
                params![customer_id, url, state, at],
            )?;
            if let Some(job) = &job {
                jobs::insert(&tx, job, at)?;
            }
            let record = read(&tx, &customer_id)?.ok_or_else(|| not_started(&customer_id))?;
            tx.commit()?;
            Ok(record)
        })
        .await
    }

    async fn set_onboarding_profile(
        &self,
        customer_id: &str,
        state: &str,
        error: Option<&str>,
        version: Option<i64>,
        at: Millis,
    ) -> StoreResult<()> {
        let (customer_id, state, error) = (
            customer_id.to_owned(),
            state.to_owned(),
            error.map(str::to_owned),
        );
        self.run(move |conn| {
            conn.execute(
                "UPDATE onboarding SET profile_state = ?2, profile_error = ?3,
                   profile_version = COALESCE(?4, profile_version), updated_at = ?5
                 WHERE customer_id = ?1",
                params![customer_id, state, error, version, at],
            )?;
            Ok(())
        })
        .await
    }

    async fn save_onboarding_answers(
        &self,
        customer_id: &str,
        answers: &str,
        completed: Option<NewEvent>,
        at: Millis,
    ) -> StoreResult<OnboardingRecord> {
        let (customer_id, answers) = (customer_id.to_owned(), answers.to_owned());
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let before = read(&tx, &customer_id)?.ok_or_else(|| not_started(&customer_id))?;
            let completing = completed.is_some() && before.completed_at.is_none();
            tx.execute(
                "UPDATE onboarding SET answers = ?2, updated_at = ?3,
                   completed_at = CASE WHEN ?4 THEN ?3 ELSE completed_at END
                 WHERE customer_id = ?1",
                params![customer_id, answers, at, completing],
            )?;
            if let (true, Some(event)) = (completing, &completed) {
                super::events::insert(&tx, event)?;
            }
            let record = read(&tx, &customer_id)?.ok_or_else(|| not_started(&customer_id))?;
            tx.commit()?;
            Ok(record)
        })
        .await
    }
}

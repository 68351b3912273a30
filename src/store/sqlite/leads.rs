//! Leads, profiles and suppressions: fields merged in SQL (`json_patch`) inside the write
//! transaction, so two imports of one person never lose each other's fields.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, params};

use super::{Sqlite, events, write_transaction};
use crate::store::{
    Identify, Imported, LeadAction, LeadQuery, LeadRecord, LeadStore, Millis, NewEvent, NewLead,
    ScoreUpdate, SeenSignal, StoreResult,
};

const SELECT: &str = "SELECT id, email, fields, source, stage, fit, intent, grade, created_at, updated_at FROM leads";

fn from_row(row: &Row<'_>) -> rusqlite::Result<LeadRecord> {
    Ok(LeadRecord {
        id: row.get(0)?,
        email: row.get(1)?,
        fields: row.get(2)?,
        source: row.get(3)?,
        stage: row.get(4)?,
        fit: row.get(5)?,
        intent: row.get(6)?,
        grade: row.get(7)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
    })
}

pub(super) fn one(
    conn: &rusqlite::Connection,
    customer: &str,
    id: &str,
) -> StoreResult<Option<LeadRecord>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE customer_id = ?1 AND id = ?2"))?
        .query_row(params![customer, id], from_row)
        .optional()?)
}

/// Imports one lead in `tx`: refused when suppressed, merged into the lead with its email, or
/// new.
fn import(
    tx: &rusqlite::Transaction<'_>,
    customer: &str,
    lead: NewLead,
    now: Millis,
) -> StoreResult<Imported> {
    if tx
        .prepare_cached("SELECT 1 FROM suppressions WHERE customer_id = ?1 AND hash = ?2")?
        .exists(params![customer, lead.suppression_hash])?
    {
        return Ok(Imported::Suppressed);
    }
    let id: Option<String> = tx
        .prepare_cached("SELECT id FROM leads WHERE customer_id = ?1 AND email = ?2")?
        .query_row(params![customer, lead.email], |row| row.get(0))
        .optional()?;
    Ok(match id {
        Some(id) => {
            tx.prepare_cached(
                "UPDATE leads SET fields = json_patch(fields, ?2), source = coalesce(source, ?3),
                 updated_at = ?4 WHERE id = ?1",
            )?
            .execute(params![id, lead.fields, lead.source, now])?;
            Imported::Updated(id)
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO leads (id, customer_id, email, fields, source, created_at, updated_at)
                 VALUES (?1, ?2, ?3, json(?4), ?5, ?6, ?6)",
            )?
            .execute(params![
                lead.id,
                customer,
                lead.email,
                lead.fields,
                lead.source,
                now
            ])?;
            Imported::Created(lead.id)
        }
    })
}

/// `values` as a JSON array for `json_each`, or `NULL` for "all of them".
fn json_list(values: Option<&[String]>) -> Option<String> {
    values.map(|v| serde_json::Value::from(v.to_vec()).to_string())
}

#[async_trait]
impl LeadStore for Sqlite {
    async fn import_leads(
        &self,
        customer: &str,
        leads: Vec<NewLead>,
        now: Millis,
    ) -> StoreResult<Vec<Imported>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let outcomes = leads
                .into_iter()
                .map(|lead| import(&tx, &customer, lead, now))
                .collect::<StoreResult<Vec<_>>>()?;
            tx.commit()?;
            Ok(outcomes)
        })
        .await
    }

    async fn leads(&self, customer: &str, query: LeadQuery) -> StoreResult<Vec<LeadRecord>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "{SELECT} WHERE customer_id = ?1
                   AND (?2 IS NULL OR fit >= ?2) AND (?3 IS NULL OR intent >= ?3)
                   AND (?4 IS NULL OR grade = ?4 OR (length(?4) = 1 AND substr(grade, 1, 1) = ?4))
                   AND (?5 IS NULL OR stage = ?5) AND (?6 IS NULL OR source = ?6)
                 ORDER BY coalesce(fit, 0) + intent DESC, created_at DESC, id LIMIT ?7 OFFSET ?8"
            ))?;
            let rows = statement.query_map(
                params![
                    customer,
                    query.min_fit,
                    query.min_intent,
                    query.grade,
                    query.stage,
                    query.source,
                    query.limit,
                    query.offset
                ],
                from_row,
            )?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn leads_to_score(
        &self,
        customer: &str,
        ids: Option<&[String]>,
    ) -> StoreResult<Vec<LeadRecord>> {
        let (customer, ids) = (customer.to_owned(), json_list(ids));
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "{SELECT} WHERE customer_id = ?1
                   AND (?2 IS NULL OR id IN (SELECT value FROM json_each(?2)))"
            ))?;
            let rows = statement.query_map(params![customer, ids], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn lead(&self, customer: &str, id: &str) -> StoreResult<Option<LeadRecord>> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| one(conn, &customer, &id)).await
    }

    async fn update_lead(
        &self,
        customer: &str,
        id: &str,
        fields: Option<String>,
        stage: Option<String>,
        now: Millis,
    ) -> StoreResult<Option<LeadRecord>> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            tx.prepare_cached(
                "UPDATE leads SET fields = coalesce(json_patch(fields, ?3), fields),
                 stage = coalesce(?4, stage), updated_at = ?5 WHERE customer_id = ?1 AND id = ?2",
            )?
            .execute(params![customer, id, fields, stage, now])?;
            let lead = one(&tx, &customer, &id)?;
            tx.commit()?;
            Ok(lead)
        })
        .await
    }

    async fn delete_lead(
        &self,
        customer: &str,
        id: &str,
        suppression_hash: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let (customer, id, hash) = (
            customer.to_owned(),
            id.to_owned(),
            suppression_hash.to_owned(),
        );
        self.run(move |conn| {
            // Erased means gone from the files: every connection zeroes what it frees
            // (`secure_delete`, see `configure`), and the write-ahead log, which holds earlier
            // versions of the lead's pages, is copied back and truncated at once. Should a
            // reader hold the log, it is truncated at the next checkpoint instead.
            let tx = write_transaction(conn)?;
            let deleted = tx
                .prepare_cached("DELETE FROM leads WHERE customer_id = ?1 AND id = ?2")?
                .execute(params![customer, id])?;
            if deleted > 0 {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO suppressions (customer_id, hash, reason, created_at)
                     VALUES (?1, ?2, 'erased', ?3)",
                )?
                .execute(params![customer, hash, now])?;
            }
            tx.commit()?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(deleted > 0)
        })
        .await
    }

    async fn icp(&self, customer: &str) -> StoreResult<Option<String>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT icp FROM icps WHERE customer_id = ?1")?
                .query_row([customer], |row| row.get(0))
                .optional()?)
        })
        .await
    }

    async fn set_icp(&self, customer: &str, icp: &str, now: Millis) -> StoreResult<()> {
        let (customer, icp) = (customer.to_owned(), icp.to_owned());
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT INTO icps (customer_id, icp, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (customer_id) DO UPDATE SET icp = ?2, updated_at = ?3",
            )?
            .execute(params![customer, icp, now])?;
            Ok(())
        })
        .await
    }

    async fn save_scores(
        &self,
        customer: &str,
        scores: Vec<ScoreUpdate>,
        events: Vec<NewEvent>,
        now: Millis,
    ) -> StoreResult<()> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            {
                let mut update = tx.prepare_cached(
                    "UPDATE leads SET fit = ?3, intent = ?4, grade = ?5, updated_at = ?6
                     WHERE customer_id = ?1 AND id = ?2",
                )?;
                for score in scores {
                    update.execute(params![
                        customer,
                        score.id,
                        score.fit,
                        score.intent,
                        score.grade,
                        now
                    ])?;
                }
            }
            for event in &events {
                events::insert(&tx, event)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn capture_lead(
        &self,
        customer: &str,
        lead: NewLead,
        action: &str,
        detail: Option<String>,
        identify: Option<Identify>,
        now: Millis,
    ) -> StoreResult<Imported> {
        let (customer, action) = (customer.to_owned(), action.to_owned());
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let outcome = import(&tx, &customer, lead, now)?;
            if let Imported::Created(id) | Imported::Updated(id) = &outcome {
                tx.prepare_cached(
                    "INSERT INTO lead_actions (customer_id, lead_id, action, at, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![customer, id, action, now, detail])?;
                if let Some(identify) = identify {
                    tx.prepare_cached(
                        "UPDATE visits SET email_hash = ?3
                         WHERE site_id = ?1 AND visitor = ?2 AND email_hash IS NULL",
                    )?
                    .execute(params![
                        identify.site_id,
                        identify.visitor,
                        identify.email_hash
                    ])?;
                }
            }
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    async fn add_lead_action_once(&self, customer: &str, action: LeadAction) -> StoreResult<bool> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let added = conn
                .prepare_cached(
                    "INSERT INTO lead_actions (customer_id, lead_id, action, at, detail)
                     SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (
                         SELECT 1 FROM lead_actions WHERE customer_id = ?1 AND lead_id = ?2
                            AND action = ?3 AND detail IS ?5)",
                )?
                .execute(params![
                    customer,
                    action.lead_id,
                    action.action,
                    action.at,
                    action.detail
                ])?;
            Ok(added > 0)
        })
        .await
    }

    async fn lead_actions(
        &self,
        customer: &str,
        ids: Option<&[String]>,
    ) -> StoreResult<Vec<LeadAction>> {
        let (customer, ids) = (customer.to_owned(), json_list(ids));
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT lead_id, action, at, detail FROM lead_actions WHERE customer_id = ?1
                   AND (?2 IS NULL OR lead_id IN (SELECT value FROM json_each(?2)))",
            )?;
            let rows = statement.query_map(params![customer, ids], |row| {
                Ok(LeadAction {
                    lead_id: row.get(0)?,
                    action: row.get(1)?,
                    at: row.get(2)?,
                    detail: row.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn lead_signals(
        &self,
        customer: &str,
        path_words: &[&str],
        hashes: Option<&[String]>,
    ) -> StoreResult<Vec<SeenSignal>> {
        let (customer, hashes) = (customer.to_owned(), json_list(hashes));
        // The words matched in SQL, so that the other pageviews are never read: one `instr` per
        // word, bound as parameters ?3, ?4, … (a `json_each` of them was parsed again for every
        // pageview).
        let words: Vec<String> = path_words.iter().map(|w| w.to_lowercase()).collect();
        let matches = if words.is_empty() {
            "0".to_owned()
        } else {
            (0..words.len())
                .map(|i| format!("instr(lower(h.path), ?{}) > 0", i + 3))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT v.site_id, v.email_hash, v.started_at, NULL FROM visits v
                   JOIN sites s ON s.id = v.site_id
                  WHERE s.customer_id = ?1 AND v.email_hash IS NOT NULL
                    AND (?2 IS NULL OR v.email_hash IN (SELECT value FROM json_each(?2)))
                 UNION ALL
                 SELECT v.site_id, v.email_hash, h.at, h.path FROM visits v
                   JOIN sites s ON s.id = v.site_id
                   JOIN hits h ON h.visit_id = v.id
                  WHERE s.customer_id = ?1 AND v.email_hash IS NOT NULL AND h.name IS NULL
                    AND (?2 IS NULL OR v.email_hash IN (SELECT value FROM json_each(?2)))
                    AND ({matches})"
            ))?;
            let mut values: Vec<&dyn rusqlite::ToSql> = vec![&customer, &hashes];
            values.extend(words.iter().map(|w| w as &dyn rusqlite::ToSql));
            let rows = statement.query_map(rusqlite::params_from_iter(values), |row| {
                Ok(SeenSignal {
                    site_id: row.get(0)?,
                    email_hash: row.get(1)?,
                    at: row.get(2)?,
                    path: row.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}

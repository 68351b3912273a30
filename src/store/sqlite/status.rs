//! The `probes` and `incidents` tables.

use super::{Sqlite, write_transaction};
use crate::store::{
    Backlog, IncidentRecord, LastProbe, Millis, ProbeResult, StatusRecords, StatusStore,
    StoreResult, Uptime,
};
use async_trait::async_trait;

use rusqlite::{Connection, OptionalExtension, params};

fn uptime(conn: &Connection, since: Millis) -> rusqlite::Result<Vec<Uptime>> {
    conn.prepare_cached(
        "SELECT component, COUNT(*), SUM(ok) FROM probes WHERE at >= ?1
         GROUP BY component ORDER BY component",
    )?
    .query_map([since], |r| {
        Ok(Uptime {
            component: r.get(0)?,
            probes: r.get(1)?,
            passed: r.get(2)?,
        })
    })?
    .collect()
}

fn last_probes(conn: &Connection) -> rusqlite::Result<Vec<LastProbe>> {
    conn.prepare_cached(
        "SELECT p.at, p.component, p.ok, p.detail FROM probes p
         JOIN (SELECT component, MAX(at) AS at FROM probes GROUP BY component) newest
           ON newest.component = p.component AND newest.at = p.at
         ORDER BY p.component",
    )?
    .query_map([], |r| {
        Ok(LastProbe {
            at: r.get(0)?,
            result: ProbeResult {
                component: r.get(1)?,
                ok: r.get(2)?,
                detail: r.get(3)?,
            },
        })
    })?
    .collect()
}

fn incidents(conn: &Connection, since: Millis) -> rusqlite::Result<Vec<IncidentRecord>> {
    conn.prepare_cached(
        "SELECT id, component, opened_at, resolved_at, detail FROM incidents
         WHERE resolved_at IS NULL OR resolved_at >= ?1
         ORDER BY opened_at DESC, id DESC LIMIT 100",
    )?
    .query_map([since], |r| {
        Ok(IncidentRecord {
            id: r.get(0)?,
            component: r.get(1)?,
            opened_at: r.get(2)?,
            resolved_at: r.get(3)?,
            detail: r.get(4)?,
        })
    })?
    .collect()
}

#[async_trait]
impl StatusStore for Sqlite {
    async fn record_probes(
        &self,
        at: Millis,
        results: Vec<ProbeResult>,
        threshold: u32,
        keep_since: Millis,
    ) -> StoreResult<()> {
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            for result in &results {
                tx.execute(
                    "INSERT INTO probes (at, component, ok, detail) VALUES (?1, ?2, ?3, ?4)",
                    params![at, result.component, result.ok, result.detail],
                )?;
                let open: Option<i64> = tx
                    .query_row(
                        "SELECT id FROM incidents WHERE component = ?1 AND resolved_at IS NULL",
                        [&result.component],
                        |r| r.get(0),
                    )
                    .optional()?;
                match (result.ok, open) {
                    (true, Some(id)) => {
                        tx.execute(
                            "UPDATE incidents SET resolved_at = ?2 WHERE id = ?1",
                            params![id, at],
                        )?;
                    }
                    (false, None) => {
                        let failed_in_a_row: u32 = tx.query_row(
                            "SELECT COUNT(*) FROM (SELECT ok FROM probes WHERE component = ?1
                               ORDER BY at DESC LIMIT ?2) WHERE ok = 0",
                            params![result.component, threshold],
                            |r| r.get(0),
                        )?;
                        if failed_in_a_row >= threshold {
                            tx.execute(
                                "INSERT INTO incidents (component, opened_at, detail) VALUES (?1, ?2, ?3)",
                                params![result.component, at, result.detail],
                            )?;
                        }
                    }
                    _ => {}
                }
            }
            tx.execute("DELETE FROM probes WHERE at < ?1", [keep_since])?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn status_records(&self, day: Millis, week: Millis) -> StoreResult<StatusRecords> {
        self.run(move |conn| {
            let tx = conn.transaction()?;
            let records = StatusRecords {
                day: uptime(&tx, day)?,
                week: uptime(&tx, week)?,
                last: last_probes(&tx)?,
                incidents: incidents(&tx, week)?,
            };
            tx.commit()?;
            Ok(records)
        })
        .await
    }

    async fn backlog(&self, kind: &str, other_kinds: bool, now: Millis) -> StoreResult<Backlog> {
        let kind = kind.to_owned();
        self.run(move |conn| {
            let sql = if other_kinds {
                "SELECT COUNT(*), MIN(run_at) FROM jobs
                 WHERE state = 'queued' AND run_at <= ?2 AND kind <> ?1"
            } else {
                "SELECT COUNT(*), MIN(run_at) FROM jobs
                 WHERE state = 'queued' AND run_at <= ?2 AND kind = ?1"
            };
            Ok(conn
                .prepare_cached(sql)?
                .query_row(params![kind, now], |r| {
                    Ok(Backlog {
                        due: r.get(0)?,
                        oldest_run_at: r.get(1)?,
                    })
                })?)
        })
        .await
    }
}

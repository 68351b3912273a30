//! The `channels` and `posts` tables: a channel per customer and platform (an upsert, its
//! credentials sealed in a text column); posts go in with their jobs, the content's transition
//! and events in one write transaction.

use super::content::change_in;
use super::{Sqlite, events, jobs, write_transaction};
use crate::store::{
    ChannelRecord, ContentChanger, Millis, NewEvent, NewJob, NewPost, PUBLISH_JOB, PostRecord,
    RemotePost, SocialStore, StoreError, StoreResult,
};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, Row, params};

/// Attempts a post gets before it is marked failed.
const PUBLISH_ATTEMPTS: u32 = 8;

fn channel_from_row(row: &Row<'_>) -> rusqlite::Result<ChannelRecord> {
    Ok(ChannelRecord {
        customer_id: row.get("customer_id")?,
        platform: row.get("platform")?,
        account: row.get("account")?,
        config: row.get("config")?,
        sealed_secret: row.get("secret")?,
        connected_at: row.get("connected_at")?,
    })
}

fn post_from_row(row: &Row<'_>) -> rusqlite::Result<PostRecord> {
    Ok(PostRecord {
        id: row.get("id")?,
        customer_id: row.get("customer_id")?,
        content_id: row.get("content_id")?,
        platform: row.get("platform")?,
        text: row.get("text")?,
        state: row.get("state")?,
        run_at: row.get("run_at")?,
        remote_id: row.get("remote_id")?,
        url: row.get("url")?,
        error: row.get("error")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        published_at: row.get("published_at")?,
    })
}

#[async_trait]
impl SocialStore for Sqlite {
    async fn connect_channel(&self, channel: ChannelRecord) -> StoreResult<ChannelRecord> {
        self.run(move |conn| {
            Ok(conn
                .prepare_cached(
                    "INSERT INTO channels (customer_id, platform, account, config, secret, connected_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (customer_id, platform) DO UPDATE SET account = excluded.account,
                         config = excluded.config, secret = excluded.secret, connected_at = excluded.connected_at
                     RETURNING *",
                )?
                .query_row(
                    params![channel.customer_id, channel.platform, channel.account, channel.config, channel.sealed_secret, channel.connected_at],
                    channel_from_row,
                )?)
        })
        .await
    }

    async fn channels(&self, customer: &str) -> StoreResult<Vec<ChannelRecord>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT * FROM channels WHERE customer_id = ?1 ORDER BY platform",
            )?;
            let rows = statement.query_map([customer], channel_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn channel(&self, customer: &str, platform: &str) -> StoreResult<Option<ChannelRecord>> {
        let (customer, platform) = (customer.to_owned(), platform.to_owned());
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT * FROM channels WHERE customer_id = ?1 AND platform = ?2")?
                .query_row(params![customer, platform], channel_from_row)
                .optional()?)
        })
        .await
    }

    async fn disconnect_channel(&self, customer: &str, platform: &str) -> StoreResult<bool> {
        let (customer, platform) = (customer.to_owned(), platform.to_owned());
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("DELETE FROM channels WHERE customer_id = ?1 AND platform = ?2")?
                .execute(params![customer, platform])?
                == 1)
        })
        .await
    }

    async fn queue_posts(
        &self,
        customer: &str,
        content: Option<(String, ContentChanger)>,
        posts: Vec<NewPost>,
        now: Millis,
    ) -> StoreResult<Vec<PostRecord>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let content_id = match content {
                Some((id, change)) => Some(change_in(&tx, &customer, &id, now, change)?.id),
                None => None,
            };
            let mut queued = Vec::with_capacity(posts.len());
            for post in posts {
                let record = tx
                    .prepare_cached(
                        "INSERT INTO posts (id, customer_id, content_id, platform, text, state, run_at, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7, ?7) RETURNING *",
                    )?
                    .query_row(
                        params![post.id, customer, content_id, post.platform, post.text, post.run_at, now],
                        post_from_row,
                    )?;
                let job = NewJob {
                    customer_id: Some(customer.clone()),
                    kind: PUBLISH_JOB.into(),
                    payload: serde_json::json!({ "post": record.id }).to_string(),
                    run_at: post.run_at,
                    max_attempts: PUBLISH_ATTEMPTS,
                    idempotency_key: Some(record.id.clone()),
                };
                jobs::insert(&tx, &job, now)?;
                queued.push(record);
            }
            tx.commit()?;
            Ok(queued)
        })
        .await
    }

    async fn post(&self, id: &str) -> StoreResult<Option<PostRecord>> {
        let id = id.to_owned();
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT * FROM posts WHERE id = ?1")?
                .query_row([id], post_from_row)
                .optional()?)
        })
        .await
    }

    async fn posts(
        &self,
        customer: &str,
        content: Option<&str>,
        state: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<PostRecord>> {
        let (customer, content, state) = (
            customer.to_owned(),
            content.map(str::to_owned),
            state.map(str::to_owned),
        );
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT * FROM posts WHERE customer_id = ?1 AND (?2 IS NULL OR content_id = ?2)
                   AND (?3 IS NULL OR state = ?3)
                 ORDER BY created_at DESC, id DESC LIMIT ?4",
            )?;
            let rows =
                statement.query_map(params![customer, content, state, limit], post_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn post_published(
        &self,
        id: &str,
        remote: RemotePost,
        event: NewEvent,
        change: Option<ContentChanger>,
        now: Millis,
    ) -> StoreResult<bool> {
        let id = id.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let post = tx
                .prepare_cached(
                    "UPDATE posts SET state = 'published', remote_id = ?2, url = ?3, error = NULL,
                            published_at = ?4, updated_at = ?4
                     WHERE id = ?1 AND state != 'published' RETURNING *",
                )?
                .query_row(
                    params![id, remote.remote_id, remote.url, now],
                    post_from_row,
                )
                .optional()?;
            let Some(post) = post else {
                return Ok(false);
            };
            if let (Some(content), Some(change)) = (&post.content_id, change) {
                change_in(&tx, &post.customer_id, content, now, change)?;
            }
            events::insert(&tx, &event)?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn post_failed(&self, id: &str, error: &str, last: bool, now: Millis) -> StoreResult<()> {
        let (id, error) = (id.to_owned(), error.to_owned());
        self.run(move |conn| {
            conn.prepare_cached(
                "UPDATE posts SET error = ?2, state = CASE WHEN ?3 THEN 'failed' ELSE 'queued' END, updated_at = ?4
                 WHERE id = ?1 AND state IN ('queued', 'failed')",
            )?
            .execute(params![id, error, last, now])?;
            Ok(())
        })
        .await
    }

    async fn cancel_post(
        &self,
        customer: &str,
        id: &str,
        change: ContentChanger,
        now: Millis,
    ) -> StoreResult<PostRecord> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let post = tx
                .prepare_cached("SELECT * FROM posts WHERE id = ?1 AND customer_id = ?2")?
                .query_row(params![id, customer], post_from_row)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("No post {id}")))?;
            if post.state != "queued" {
                return Err(StoreError::Conflict(format!(
                    "Post {id} is {}; only queued posts can be cancelled",
                    post.state
                )));
            }
            let post = tx
                .prepare_cached(
                    "UPDATE posts SET state = 'cancelled', updated_at = ?2 WHERE id = ?1 RETURNING *",
                )?
                .query_row(params![id, now], post_from_row)?;
            if let Some(content) = &post.content_id {
                let others: u32 = tx
                    .prepare_cached(
                        "SELECT count(*) FROM posts WHERE customer_id = ?1 AND content_id = ?2
                           AND state IN ('queued', 'published')",
                    )?
                    .query_row(params![customer, content], |row| row.get(0))?;
                if others == 0 {
                    change_in(&tx, &customer, content, now, change)?;
                }
            }
            tx.commit()?;
            Ok(post)
        })
        .await
    }
}

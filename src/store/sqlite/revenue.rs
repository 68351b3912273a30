//! The `orders`, `order_touchpoints` and `refunds` tables, and the visits attribution reads.

use super::{Sqlite, events, write_transaction};
use crate::store::{
    Millis, NewEvent, NewOrder, NewRefund, OrderRecord, Recorded, RevenueStore, StoreError,
    StoreResult, TouchpointRecord, VisitKey,
};
use async_trait::async_trait;

use rusqlite::{Connection, OptionalExtension, params};

fn touchpoint(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<TouchpointRecord> {
    Ok(TouchpointRecord {
        at: row.get(first)?,
        channel: row.get(first + 1)?,
        source: row.get(first + 2)?,
        medium: row.get(first + 3)?,
        campaign: row.get(first + 4)?,
        landing_page: row.get(first + 5)?,
    })
}

fn touchpoints_of(
    conn: &Connection,
    customer: &str,
    order: &str,
) -> rusqlite::Result<Vec<TouchpointRecord>> {
    let mut statement = conn.prepare_cached(
        "SELECT at, channel, source, medium, campaign, landing_page FROM order_touchpoints
         WHERE customer_id = ?1 AND order_id = ?2 ORDER BY position",
    )?;
    let rows = statement.query_map([customer, order], |row| touchpoint(row, 0))?;
    rows.collect()
}

fn order(conn: &Connection, customer: &str, id: &str) -> rusqlite::Result<Option<OrderRecord>> {
    let found = conn
        .prepare_cached(
            "SELECT order_id, amount, currency, occurred_at, refunded, metadata FROM orders
             WHERE customer_id = ?1 AND order_id = ?2",
        )?
        .query_row([customer, id], |row| {
            Ok(OrderRecord {
                order_id: row.get(0)?,
                amount: row.get(1)?,
                currency: row.get(2)?,
                occurred_at: row.get(3)?,
                refunded: row.get(4)?,
                metadata: row.get(5)?,
                touchpoints: Vec::new(),
            })
        })
        .optional()?;
    match found {
        Some(mut record) => {
            record.touchpoints = touchpoints_of(conn, customer, id)?;
            Ok(Some(record))
        }
        None => Ok(None),
    }
}

#[async_trait]
impl RevenueStore for Sqlite {
    async fn record_order(&self, new: NewOrder, event: NewEvent) -> StoreResult<Recorded> {
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            if let Some(existing) = order(&tx, &new.customer_id, &new.order_id)? {
                return Ok(
                    if existing.amount == new.amount && existing.currency == new.currency {
                        Recorded::Again(existing)
                    } else {
                        Recorded::Conflict(existing)
                    },
                );
            }
            tx.execute(
                "INSERT INTO orders (customer_id, order_id, amount, currency, occurred_at, metadata, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    new.customer_id,
                    new.order_id,
                    new.amount,
                    new.currency,
                    new.occurred_at,
                    new.metadata,
                    event.at
                ],
            )?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO order_touchpoints (customer_id, order_id, position, at, channel, source, medium, campaign, landing_page)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?;
                for (position, t) in new.touchpoints.iter().enumerate() {
                    insert.execute(params![
                        new.customer_id,
                        new.order_id,
                        position as i64,
                        t.at,
                        t.channel,
                        t.source,
                        t.medium,
                        t.campaign,
                        t.landing_page
                    ])?;
                }
            }
            events::insert(&tx, &event)?;
            tx.commit()?;
            // What was just written, as written: no second read.
            Ok(Recorded::Created(OrderRecord {
                order_id: new.order_id,
                amount: new.amount,
                currency: new.currency,
                occurred_at: new.occurred_at,
                refunded: 0,
                metadata: new.metadata,
                touchpoints: new.touchpoints,
            }))
        })
        .await
    }

    async fn record_refund(&self, refund: NewRefund, event: NewEvent) -> StoreResult<Recorded> {
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let existing = order(&tx, &refund.customer_id, &refund.order_id)?.ok_or_else(|| {
                StoreError::NotFound(format!(
                    "No order {}: track it before refunding it",
                    refund.order_id
                ))
            })?;
            if existing.currency != refund.currency {
                return Ok(Recorded::Conflict(existing));
            }
            let earlier: Option<i64> = tx
                .query_row(
                    "SELECT amount FROM refunds WHERE customer_id = ?1 AND order_id = ?2 AND refund_id = ?3",
                    [&refund.customer_id, &refund.order_id, &refund.refund_id],
                    |row| row.get(0),
                )
                .optional()?;
            match earlier {
                Some(amount) if amount == refund.amount => return Ok(Recorded::Again(existing)),
                Some(_) => return Ok(Recorded::Conflict(existing)),
                None => {}
            }
            if existing.refunded + refund.amount > existing.amount {
                return Ok(Recorded::TooMuch(existing));
            }
            tx.execute(
                "INSERT INTO refunds (customer_id, order_id, refund_id, amount, occurred_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    refund.customer_id,
                    refund.order_id,
                    refund.refund_id,
                    refund.amount,
                    refund.occurred_at
                ],
            )?;
            tx.execute(
                "UPDATE orders SET refunded = refunded + ?3 WHERE customer_id = ?1 AND order_id = ?2",
                params![refund.customer_id, refund.order_id, refund.amount],
            )?;
            events::insert(&tx, &event)?;
            tx.commit()?;
            Ok(Recorded::Created(OrderRecord {
                refunded: existing.refunded + refund.amount,
                ..existing
            }))
        })
        .await
    }

    async fn visit_touchpoints(
        &self,
        keys: Vec<VisitKey>,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<TouchpointRecord>> {
        self.run(move |conn| {
            let mut found = Vec::new();
            let mut statement = conn.prepare_cached(
                "SELECT started_at, channel, source, utm_medium, utm_campaign, entry_path FROM visits
                 WHERE site_id = ?1 AND started_at >= ?2 AND started_at <= ?3
                   AND ((?4 IS NOT NULL AND visitor = ?4) OR (?5 IS NOT NULL AND email_hash = ?5))
                 ORDER BY started_at, id",
            )?;
            for key in &keys {
                let rows = statement.query_map(
                    params![key.site_id, from, to, key.visitor, key.email_hash],
                    |row| touchpoint(row, 0),
                )?;
                for row in rows {
                    found.push(row?);
                }
            }
            found.sort_by_key(|t| t.at);
            Ok(found)
        })
        .await
    }

    async fn orders(
        &self,
        customer: &str,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<OrderRecord>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let mut orders: Vec<OrderRecord> = Vec::new();
            let mut statement = conn.prepare_cached(
                "SELECT o.order_id, o.amount, o.currency, o.occurred_at, o.refunded, o.metadata,
                        t.at, t.channel, t.source, t.medium, t.campaign, t.landing_page
                 FROM orders o LEFT JOIN order_touchpoints t
                   ON t.customer_id = o.customer_id AND t.order_id = o.order_id
                 WHERE o.customer_id = ?1 AND o.occurred_at >= ?2 AND o.occurred_at < ?3
                 ORDER BY o.occurred_at, o.order_id, t.position",
            )?;
            let mut rows = statement.query(params![customer, from, to])?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                if orders.last().is_none_or(|o| o.order_id != id) {
                    orders.push(OrderRecord {
                        order_id: id,
                        amount: row.get(1)?,
                        currency: row.get(2)?,
                        occurred_at: row.get(3)?,
                        refunded: row.get(4)?,
                        metadata: row.get(5)?,
                        touchpoints: Vec::new(),
                    });
                }
                if row.get::<_, Option<i64>>(6)?.is_some()
                    && let Some(last) = orders.last_mut()
                {
                    last.touchpoints.push(touchpoint(row, 6)?);
                }
            }
            Ok(orders)
        })
        .await
    }
}

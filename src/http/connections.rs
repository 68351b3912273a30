//! Bounds on what a client that has not authenticated can hold open.
//!
//! A connection costs a task and buffers whether or not it ever sends a key, so without bounds
//! a few hundred slow or idle connections (slowloris) would hold the server's memory and file
//! descriptors for as long as their owner liked. Two bounds apply:
//! - hyper's header-read timeout: a request's head must arrive within `--header-timeout-seconds`
//!   of the server starting to wait for it. It also covers a
//!   keep-alive connection waiting for its next request, so an idle connection is closed after
//!   the same time; a streaming response (SSE, Streamable HTTP) is not waiting for a head, so
//!   it is unaffected.
//! - at most `--max-preauth-connections` per client address that have not yet
//!   carried an authenticated request; past it, a new connection is closed at once. A
//!   connection leaves the count with its first authenticated request, so a customer's own
//!   busy clients are bounded by their rate limits and session caps instead. A refused
//!   connection is told so (429 with `Retry-After`, in the error format) rather than cut off,
//!   so a client that opened a burst of connections at once sees why.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::error::Error;
use crate::registry::new_request_id;

/// How long a refused connection's answer may take to write before it is dropped anyway.
const REFUSAL_WRITE: Duration = Duration::from_secs(2);

/// Answers a connection over the bound with 429 and closes it, without reading its request.
pub async fn refuse(mut stream: TcpStream) {
    let retry_after = Duration::from_secs(1);
    let body = Error::RateLimited { retry_after }
        .body(&new_request_id())
        .to_string();
    let response = format!(
        "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nretry-after: {}\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        retry_after.as_secs(),
        body.len()
    );
    let write = async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(REFUSAL_WRITE, write).await;
}

/// Counts the connections of each client address that have not authenticated.
#[derive(Debug)]
pub struct Gate {
    max: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl Gate {
    pub fn new(max: usize) -> Arc<Gate> {
        Arc::new(Gate {
            max: max.max(1),
            open: Mutex::default(),
        })
    }

    /// A slot for a new connection from `ip`, or `None` when that address already holds its
    /// maximum of unauthenticated connections.
    pub fn admit(self: &Arc<Gate>, ip: IpAddr) -> Option<Slot> {
        let mut open = self.open.lock();
        let count = open.entry(ip).or_default();
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Slot(Arc::new(Held {
            gate: self.clone(),
            ip,
            held: AtomicBool::new(true),
        })))
    }

    fn leave(&self, ip: IpAddr) {
        let mut open = self.open.lock();
        if let Some(count) = open.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&ip);
            }
        }
    }

    /// Unauthenticated connections open from `ip`.
    pub fn open_from(&self, ip: IpAddr) -> usize {
        self.open.lock().get(&ip).copied().unwrap_or(0)
    }
}

/// One connection's place in the count, in each of its requests' extensions; it is given back
/// when the connection authenticates or closes, whichever comes first.
#[derive(Debug, Clone)]
pub struct Slot(Arc<Held>);

#[derive(Debug)]
struct Held {
    gate: Arc<Gate>,
    ip: IpAddr,
    held: AtomicBool,
}

impl Slot {
    /// The connection carried an authenticated request: it no longer counts.
    pub fn authenticated(&self) {
        self.0.release();
    }
}

impl Held {
    fn release(&self) {
        if self.held.swap(false, Ordering::AcqRel) {
            self.gate.leave(self.ip);
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_maximum_until_one_authenticates_or_closes() {
        let gate = Gate::new(2);
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "2001:db8::1".parse().unwrap();
        let first = gate.admit(ip).unwrap();
        let second = gate.admit(ip).unwrap();
        assert!(gate.admit(ip).is_none());
        assert!(
            gate.admit(other).is_some(),
            "each address has its own count"
        );
        first.authenticated();
        first.authenticated();
        assert_eq!(
            gate.open_from(ip),
            1,
            "authenticating twice gives back one place"
        );
        let third = gate.admit(ip).unwrap();
        drop(first);
        assert!(
            gate.admit(ip).is_none(),
            "an authenticated connection's end changes nothing"
        );
        drop((second, third));
        assert_eq!(gate.open_from(ip), 0);
        assert!(
            gate.open.lock().is_empty(),
            "no entry is kept for an address gone"
        );
    }
}

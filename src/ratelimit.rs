//! Per-key rate limits (governor's keyed GCRA limiters), one per surface as docs/hosted-api.md lists them.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::Error;

/// Requests per minute for each surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Authenticated REST requests, per customer.
    pub rest: u32,
    /// MCP tool calls, per customer.
    pub mcp: u32,
    /// Requests before authentication (bad or missing keys, signup), per client IP.
    pub preauth: u32,
    pub checkout: u32,
    pub webhooks: u32,
    /// Admin endpoints, per client IP.
    pub admin: u32,
    /// Hits to the analytics collector, per client IP: generous, as a site's visitors may
    /// share one address (an office, a carrier's NAT).
    pub collect: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            rest: 60,
            mcp: 30,
            preauth: 20,
            checkout: 5,
            webhooks: 100,
            admin: 10,
            collect: 600,
        }
    }
}

impl RateLimits {
    /// Limits so high that load tests and conformance runs never reach them, while every request
    /// still goes through the limiter.
    pub fn unlimited() -> RateLimits {
        let n = 1_000_000_000;
        RateLimits {
            rest: n,
            mcp: n,
            preauth: n,
            checkout: n,
            webhooks: n,
            admin: n,
            collect: n,
        }
    }
}

/// The surface a request is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Rest,
    Mcp,
    Preauth,
    Checkout,
    Webhooks,
    Admin,
    Collect,
}

/// One keyed limiter per bucket. Keys are customer ids or client IPs.
pub struct Limiters {
    rest: DefaultKeyedRateLimiter<String>,
    mcp: DefaultKeyedRateLimiter<String>,
    preauth: DefaultKeyedRateLimiter<String>,
    checkout: DefaultKeyedRateLimiter<String>,
    webhooks: DefaultKeyedRateLimiter<String>,
    admin: DefaultKeyedRateLimiter<String>,
    collect: DefaultKeyedRateLimiter<String>,
}

fn per_minute(n: u32) -> DefaultKeyedRateLimiter<String> {
    // A zero limit would forbid everything; treat it as the smallest real limit.
    let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))
}

impl Limiters {
    pub fn new(limits: RateLimits) -> Limiters {
        Limiters {
            rest: per_minute(limits.rest),
            mcp: per_minute(limits.mcp),
            preauth: per_minute(limits.preauth),
            checkout: per_minute(limits.checkout),
            webhooks: per_minute(limits.webhooks),
            admin: per_minute(limits.admin),
            collect: per_minute(limits.collect),
        }
    }

    fn limiter(&self, bucket: Bucket) -> &DefaultKeyedRateLimiter<String> {
        match bucket {
            Bucket::Rest => &self.rest,
            Bucket::Mcp => &self.mcp,
            Bucket::Preauth => &self.preauth,
            Bucket::Checkout => &self.checkout,
            Bucket::Webhooks => &self.webhooks,
            Bucket::Admin => &self.admin,
            Bucket::Collect => &self.collect,
        }
    }

    /// Counts one request; past the limit, answers how long to wait.
    pub fn check(&self, bucket: Bucket, key: &str) -> Result<(), Error> {
        let limiter = self.limiter(bucket);
        match limiter.check_key(&key.to_owned()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Err(Error::RateLimited {
                    retry_after: wait.max(Duration::from_secs(1)),
                })
            }
        }
    }

    /// Drops the state of keys that are back to a full allowance, so memory stays bounded.
    pub fn forget_idle(&self) {
        for bucket in [
            Bucket::Rest,
            Bucket::Mcp,
            Bucket::Preauth,
            Bucket::Checkout,
            Bucket::Webhooks,
            Bucket::Admin,
            Bucket::Collect,
        ] {
            let limiter = self.limiter(bucket);
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key_and_reports_a_wait() {
        let limiters = Limiters::new(RateLimits {
            admin: 2,
            ..RateLimits::default()
        });
        assert!(limiters.check(Bucket::Admin, "a").is_ok());
        assert!(limiters.check(Bucket::Admin, "a").is_ok());
        match limiters.check(Bucket::Admin, "a") {
            Err(Error::RateLimited { retry_after }) => {
                assert!(retry_after >= Duration::from_secs(1))
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
        assert!(
            limiters.check(Bucket::Admin, "b").is_ok(),
            "another key has its own allowance"
        );
    }
}

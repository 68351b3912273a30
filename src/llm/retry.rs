//! Retries with exponential backoff and jitter for transient provider errors, honouring the
//! provider's `Retry-After`.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use super::LlmError;

/// First wait, doubled on each retry.
const BASE: Duration = Duration::from_millis(500);
/// No single wait is longer than this, whatever `Retry-After` says.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// Runs `attempt` up to `attempts` times while it fails transiently.
pub async fn with_retries<T, F, Fut>(attempts: u32, mut attempt: F) -> Result<T, LlmError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, LlmError>>,
{
    let mut tried = 0;
    loop {
        tried += 1;
        match attempt().await {
            Err(error) if error.is_transient() && tried < attempts.max(1) => {
                let wait = wait_before(tried, &error);
                tracing::warn!(%error, attempt = tried, wait_ms = wait.as_millis() as u64, "LLM call failed; retrying");
                tokio::time::sleep(wait).await;
            }
            result => return result,
        }
    }
}

/// `Retry-After` when the provider gave one, else 0.5 s × 2^(n-1) with ±25 % jitter.
fn wait_before(tried: u32, error: &LlmError) -> Duration {
    if let LlmError::Status {
        retry_after: Some(after),
        ..
    } = error
    {
        return (*after).min(MAX_WAIT);
    }
    let backoff = BASE.saturating_mul(1 << (tried - 1).min(10));
    let jitter = rand::rng().random_range(0.75..1.25);
    backoff.mul_f64(jitter).min(MAX_WAIT)
}

/// Reads `Retry-After`: delta-seconds or an HTTP date.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let now = chrono::Utc::now();
    Some(
        (at.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        let later = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        headers.insert("retry-after", later.parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_retried_and_others_are_not() {
        let mut calls = 0;
        let result: Result<u32, LlmError> = with_retries(3, || {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(LlmError::Status {
                        engine: "t".into(),
                        status: 503,
                        message: "busy".into(),
                        retry_after: None,
                    })
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result.unwrap(), 3);
        let mut calls = 0;
        let result: Result<u32, LlmError> = with_retries(3, || {
            calls += 1;
            async {
                Err(LlmError::Status {
                    engine: "t".into(),
                    status: 401,
                    message: "bad key".into(),
                    retry_after: None,
                })
            }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 1);
    }
}

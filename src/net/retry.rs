//! When to try a request again and how long to wait: 429 and 5xx answers and lost
//! connections are retried a bounded number of times, honouring `Retry-After`.

use std::time::Duration;

/// The retry policy of one client.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// Attempts after the first.
    pub retries: u32,
    /// The first wait; each next wait doubles, up to `max`.
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            retries: 3,
            base: Duration::from_millis(250),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (0 for the first retry). A server's
    /// `Retry-After` is honoured up to `max`; a longer one ends the retries (`None`).
    pub fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.retries {
            return None;
        }
        match retry_after {
            Some(asked) if asked > self.max => None,
            Some(asked) => Some(asked),
            None => Some(
                self.base
                    .saturating_mul(1u32 << attempt.min(16))
                    .min(self.max),
            ),
        }
    }
}

/// Answers worth another try: too many requests, and server errors.
pub fn retryable(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

/// `Retry-After` in seconds (the HTTP-date form is treated as absent).
pub fn retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_and_stop_after_the_last_retry() {
        let b = Backoff::default();
        assert_eq!(b.wait(0, None), Some(Duration::from_millis(250)));
        assert_eq!(b.wait(2, None), Some(Duration::from_millis(1000)));
        assert_eq!(b.wait(3, None), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_maximum() {
        let b = Backoff::default();
        assert_eq!(
            b.wait(0, retry_after(Some("2"))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(b.wait(0, retry_after(Some("3600"))), None);
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert!(retryable(429) && retryable(503) && !retryable(409));
    }
}

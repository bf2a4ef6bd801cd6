//! When to try again, how long to wait, and when trying again is unsafe.
//!
//! - Throttling (`429`) and outages (`503`, `504`) honour `Retry-After` (seconds or an
//!   HTTP-date); without it, and for other failures of safe requests, exponential back-off with
//!   jitter. Attempts and the total wait are bounded.
//! - A `POST` is never repeated after an ambiguous failure (no answer, a `5xx`, a cut-off or
//!   garbled success body): the next move is [`NextMove::Reconcile`], re-reading to find out
//!   whether the write happened. A `429` is not ambiguous — Graph refused before acting — so a
//!   throttled `POST` waits and is sent again.
//! - `PATCH` of a state and `DELETE` are idempotent and retried like reads.

use crate::graph::errors::{seconds, GraphError};
use serde::{Deserialize, Serialize};

/// Whether sending a request twice can do harm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Idempotency {
    /// Reads, `$batch` of reads, `PATCH` of a state, `DELETE`.
    Safe,
    /// `POST` that creates something.
    Create,
}

/// Bounds and pacing of retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    /// Most attempts of one request, the first included.
    pub max_attempts: u32,
    /// Most time spent waiting for one request, all retries together.
    pub max_total_wait_ms: u64,
    /// First back-off delay; doubled each attempt.
    pub base_delay_ms: u64,
    /// Longest single back-off delay.
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 5, max_total_wait_ms: 120_000, base_delay_ms: 1_000, max_delay_ms: 30_000 }
    }
}

/// Attempts made so far for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempts {
    pub made: u32,
    pub waited_ms: u64,
}

/// Why the shell is asked to wait before the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WaitReason {
    /// Graph sent `Retry-After`.
    GraphAskedToWait,
    /// Throttled without `Retry-After`.
    Throttled,
    /// Graph had a server error or was unavailable.
    Unavailable,
    /// No answer, or an unreadable one.
    NoAnswer,
    /// Giving a write that may have happened time to show up before looking for it.
    CheckingWrite,
}

/// A wait the shell performs before sending the next request; the UI shows [`Wait::message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Wait {
    pub ms: u64,
    pub reason: WaitReason,
}

impl Wait {
    /// What the UI says during the wait.
    ///
    /// ```
    /// use registration_guard::graph::retry::{Wait, WaitReason};
    /// let wait = Wait { ms: 7_000, reason: WaitReason::GraphAskedToWait };
    /// assert_eq!(wait.message(), "Microsoft Graph asked us to wait 7 s…");
    /// ```
    pub fn message(&self) -> String {
        let s = seconds(self.ms);
        match self.reason {
            WaitReason::GraphAskedToWait => format!("Microsoft Graph asked us to wait {s}…"),
            WaitReason::Throttled => format!("Microsoft Graph is throttling requests; trying again in {s}…"),
            WaitReason::Unavailable => format!("Microsoft Graph is unavailable; trying again in {s}…"),
            WaitReason::NoAnswer => format!("No usable answer from Microsoft Graph; trying again in {s}…"),
            WaitReason::CheckingWrite => {
                format!("The answer was lost; checking in {s} whether Microsoft Graph saved the change…")
            }
        }
    }
}

/// What to do after a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextMove {
    /// Send the same request again after the wait.
    Retry(Wait),
    /// The write may have happened: read back before any second write.
    Reconcile,
    /// Final: show the error.
    GiveUp,
}

impl RetryPolicy {
    /// Decides after `error` answered attempt number `attempts.made` (1 for the first). When
    /// the move is a retry, the wait is added to `attempts.waited_ms`.
    pub fn next_move(&self, kind: Idempotency, error: &GraphError, attempts: &mut Attempts, jitter: u32) -> NextMove {
        if kind == Idempotency::Create && error.is_ambiguous_for_write() {
            return NextMove::Reconcile;
        }
        let wait = match error {
            GraphError::Throttled { retry_after_ms: Some(ms) } => Wait { ms: *ms, reason: WaitReason::GraphAskedToWait },
            GraphError::Throttled { retry_after_ms: None } => Wait { ms: self.backoff(attempts.made, jitter), reason: WaitReason::Throttled },
            _ if kind == Idempotency::Create => return NextMove::GiveUp,
            GraphError::ServerError { .. } => Wait { ms: self.backoff(attempts.made, jitter), reason: WaitReason::Unavailable },
            GraphError::Network { .. }
            | GraphError::Truncated { .. }
            | GraphError::MalformedJson { .. }
            | GraphError::NotJson { .. }
            | GraphError::BadShape { .. } => Wait { ms: self.backoff(attempts.made, jitter), reason: WaitReason::NoAnswer },
            _ => return NextMove::GiveUp,
        };
        if attempts.made >= self.max_attempts || attempts.waited_ms + wait.ms > self.max_total_wait_ms {
            return NextMove::GiveUp;
        }
        attempts.waited_ms += wait.ms;
        NextMove::Retry(wait)
    }

    /// Back-off before attempt `made + 1`: half the doubled delay fixed, half random, so
    /// clients that failed together do not retry together.
    pub fn backoff(&self, made: u32, jitter: u32) -> u64 {
        let exp = self.base_delay_ms.saturating_mul(1u64 << made.saturating_sub(1).min(20));
        let delay = exp.min(self.max_delay_ms);
        let half = delay / 2;
        half + if half == 0 { 0 } else { u64::from(jitter) % (half + 1) }
    }
}

/// A small deterministic random source for jitter, seeded by the caller (xorshift64*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jitter(u64);

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Jitter(seed | 1)
    }

    pub fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }
}

/// Milliseconds to wait from a `Retry-After` value: delta-seconds or an HTTP-date (IMF-fixdate,
/// e.g. `Wed, 21 Oct 2015 07:28:00 GMT`). A date in the past means no wait. `None` when the
/// value is neither.
///
/// ```
/// use registration_guard::graph::retry::parse_retry_after;
/// assert_eq!(parse_retry_after("7", 0), Some(7_000));
/// assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", 4_000), Some(6_000));
/// ```
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse::<u64>().unwrap_or(u64::MAX / 1000).saturating_mul(1000));
    }
    parse_http_date(value).map(|at| at.saturating_sub(now_ms))
}

/// Milliseconds since the Unix epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`); the
/// weekday is optional and not checked.
pub fn parse_http_date(text: &str) -> Option<u64> {
    let text = text.split_once(',').map_or(text, |(_, rest)| rest);
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [day, month, year, time, zone] = parts.as_slice() else { return None };
    if !zone.eq_ignore_ascii_case("GMT") && !zone.eq_ignore_ascii_case("UTC") {
        return None;
    }
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as i64 + 1;
    let day: i64 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let year: i64 = year.parse().ok().filter(|y| (1970..=9999).contains(y))?;
    let hms: Vec<i64> = time.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let [h, m, s] = hms.as_slice() else { return None };
    if *h > 23 || *m > 59 || *s > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + m * 60 + s;
    u64::try_from(secs).ok().map(|s| s * 1000)
}

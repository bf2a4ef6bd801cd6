//! The HTTP exchange the simulated tenant answers: one request in, one response out, plus the
//! transport misbehaviour (delay, reset, truncation) the serving Node process must act out.

use serde::{Deserialize, Serialize};

/// One HTTP request to a simulated Microsoft host (Graph or the sign-in service).
///
/// ```
/// use registration_guard::sim::SimRequest;
/// let req = SimRequest::from_url("GET", "https://graph.microsoft.com/v1.0/me?$select=id").unwrap();
/// assert_eq!(req.host.as_deref(), Some("graph.microsoft.com"));
/// assert_eq!(req.path_and_query, "/v1.0/me?$select=id");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimRequest {
    /// `GET`, `POST`, `PATCH`, `DELETE` (any case).
    pub method: String,
    /// The `Host` the request was sent to, without port. `None` skips the cloud check (tests
    /// that talk to the model directly); the emulator always passes it.
    #[serde(default)]
    pub host: Option<String>,
    /// Path and query exactly as sent, e.g. `/v1.0/identity/conditionalAccess/policies?$top=2`.
    pub path_and_query: String,
    /// Request headers (names in any case).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<String>,
}

impl SimRequest {
    /// A request with no headers, body or host.
    pub fn new(method: &str, path_and_query: &str) -> SimRequest {
        SimRequest {
            method: method.to_ascii_uppercase(),
            host: None,
            path_and_query: path_and_query.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Splits an absolute `https://host[:port]/path?query` address; `None` when it is not one.
    pub fn from_url(method: &str, url: &str) -> Option<SimRequest> {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, "/"),
        };
        let host = authority
            .split(':')
            .next()
            .unwrap_or(authority)
            .to_ascii_lowercase();
        let mut req = SimRequest::new(method, path);
        req.host = Some(host);
        Some(req)
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> SimRequest {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> SimRequest {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    /// Sets a JSON body with its content type.
    pub fn json(mut self, body: &str) -> SimRequest {
        self.headers
            .push(("Content-Type".to_owned(), "application/json".to_owned()));
        self.body = Some(body.to_owned());
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body (token requests).
    pub fn form(mut self, pairs: &[(&str, &str)]) -> SimRequest {
        self.headers.push((
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ));
        self.body = Some(crate::graph::codec::form_encode(pairs));
        self
    }

    /// The value of a header (case-insensitive name).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.path_and_query.split('?').next().unwrap_or("")
    }

    /// The decoded query parameters.
    pub fn query(&self) -> Vec<(String, String)> {
        match self.path_and_query.split_once('?') {
            Some((_, q)) => crate::graph::codec::parse_query(q),
            None => Vec::new(),
        }
    }
}

/// What the Node server must do beyond sending status, headers and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Transport {
    /// Send the response normally.
    #[default]
    Normal,
    /// Destroy the connection without answering (the client sees a network error).
    Reset,
    /// Send the headers with the full `Content-Length`, then only the first `bytes` bytes of
    /// the body, then destroy the connection.
    TruncateAfter { bytes: usize },
}

/// The answer of the simulated tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// How long the server waits before answering (scripted slowness), in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
    #[serde(default)]
    pub transport: Transport,
}

impl SimResponse {
    pub(crate) fn new(status: u16, content_type: &str, body: String) -> SimResponse {
        SimResponse {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body,
            delay_ms: 0,
            transport: Transport::Normal,
        }
    }

    pub(crate) fn with_header(mut self, name: &str, value: &str) -> SimResponse {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }

    /// The body parsed as JSON (`Value::Null` when it is not JSON), for tests and callers that
    /// inspect answers.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

fn header_in<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `2024-05-01T12:00:00Z` for a Unix time in milliseconds (Graph's `DateTimeOffset`).
pub(crate) fn iso_time(ms: u64) -> String {
    let (date, h, m, s) = civil(ms);
    format!("{date}T{h:02}:{m:02}:{s:02}Z")
}

/// `2024-05-01T12:00:00` — the form of Graph's `innerError.date`.
pub(crate) fn inner_error_time(ms: u64) -> String {
    let (date, h, m, s) = civil(ms);
    format!("{date}T{h:02}:{m:02}:{s:02}")
}

/// `2024-05-01 12:00:00Z` — the form of the identity platform's error `timestamp`.
pub(crate) fn login_time(ms: u64) -> String {
    let (date, h, m, s) = civil(ms);
    format!("{date} {h:02}:{m:02}:{s:02}Z")
}

/// Date (`YYYY-MM-DD`) and time of day, from days since 1970 (Howard Hinnant's algorithm).
fn civil(ms: u64) -> (String, u64, u64, u64) {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
    )
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_render_in_each_microsoft_format() {
        // 2024-02-29T23:59:58Z, a leap day.
        let ms = 1_709_251_198_000;
        assert_eq!(iso_time(ms), "2024-02-29T23:59:58Z");
        assert_eq!(inner_error_time(ms), "2024-02-29T23:59:58");
        assert_eq!(login_time(ms), "2024-02-29 23:59:58Z");
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn html_escape_neutralises_markup() {
        assert_eq!(
            html_escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}

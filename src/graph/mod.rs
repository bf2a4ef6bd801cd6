//! Microsoft Graph and the extension's own sign-in, as pure decisions.
//!
//! Nothing here performs I/O: every module yields the next HTTP request to make and consumes
//! the response the wasm shell got, so the whole client is tested natively. Time and random
//! bytes are passed in. The shell's only jobs are `fetch`, `chrome.identity.launchWebAuthFlow`,
//! storage, sleeping for the waits it is told about, and adding the `Authorization` header.
//!
//! - [`auth`]: authorization code + PKCE sign-in, token requests, what to do with stored tokens.
//! - [`batch`]: the preflight read of a tenant in one `$batch`, paging and inner retries.
//! - [`apply`]: the apply / enforce / undo state machine that never writes a policy twice.
//! - [`retry`]: waits for throttling and outages; reconcile instead of re-posting.
//! - [`errors`]: every Graph failure as a [`errors::GraphError`] an admin can act on.
//! - [`codec`]: SHA-256, base64url and form encoding.

pub mod apply;
pub mod auth;
pub mod batch;
pub mod codec;
pub mod errors;
pub mod retry;

use crate::context::Cloud;
use serde::{Deserialize, Serialize};

/// HTTP method of a request the shell performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    /// The method as `fetch` wants it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A request for the shell to perform exactly as described.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl HttpRequest {
    fn get(url: String) -> Self {
        HttpRequest { method: Method::Get, url, headers: Vec::new(), body: None }
    }

    fn json(method: Method, url: String, body: &serde_json::Value) -> Self {
        HttpRequest {
            method,
            url,
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: Some(body.to_string()),
        }
    }

    /// Adds `Authorization: Bearer <token>`. Graph requests are built without it so that the
    /// token stays in the background worker that owns it; the shell adds it just before `fetch`.
    pub fn with_bearer(mut self, access_token: &str) -> Self {
        self.headers.push(("Authorization".to_owned(), format!("Bearer {access_token}")));
        self
    }

    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }
}

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// A response with no headers, for the shell's convenience and for tests.
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        HttpResponse { status, headers: Vec::new(), body: body.into() }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }
}

fn header_in<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// A request that got no HTTP answer. For a write, every kind is ambiguous: the server may
/// have acted before the connection failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TransportFailure {
    /// The shell's deadline passed.
    Timeout,
    /// The connection failed or was reset (`fetch` rejected with a network error).
    Network { message: String },
}

// Read through a flat record, not serde's internally-tagged derive, which buffers the message
// and cost about 5 KB of wasm; the shape is the derive's (`{"kind": "network", "message": …}`).
impl<'de> Deserialize<'de> for TransportFailure {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Wire {
            kind: String,
            message: Option<String>,
        }
        let wire = Wire::deserialize(deserializer)?;
        match (wire.kind.as_str(), wire.message) {
            ("timeout", _) => Ok(TransportFailure::Timeout),
            ("network", Some(message)) => Ok(TransportFailure::Network { message }),
            ("network", None) => Err(D::Error::missing_field("message")),
            (other, _) => Err(D::Error::unknown_variant(other, &["timeout", "network"])),
        }
    }
}

/// What the shell reports back for one request.
pub type Outcome = Result<HttpResponse, TransportFailure>;

/// Graph API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GraphVersion {
    #[serde(rename = "v1.0")]
    V1,
    #[serde(rename = "beta")]
    Beta,
}

impl GraphVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            GraphVersion::V1 => "v1.0",
            GraphVersion::Beta => "beta",
        }
    }
}

/// The sign-in and Graph hosts of one cloud. Tokens never cross clouds: scopes carry the
/// Graph host, and every URL this module follows is checked against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphEndpoints {
    pub cloud: Cloud,
    pub login_host: String,
    pub graph_host: String,
}

impl GraphEndpoints {
    /// The hosts a cloud detected from the portal address uses (US Government: GCC High).
    ///
    /// ```
    /// use registration_guard::context::Cloud;
    /// use registration_guard::graph::GraphEndpoints;
    /// let gov = GraphEndpoints::for_cloud(Cloud::UsGovernment);
    /// assert_eq!(gov.graph_host, "graph.microsoft.us");
    /// assert_eq!(gov.login_host, "login.microsoftonline.us");
    /// ```
    pub fn for_cloud(cloud: Cloud) -> Self {
        GraphEndpoints {
            cloud,
            login_host: cloud.login_host().to_owned(),
            graph_host: cloud.graph_host().to_owned(),
        }
    }

    /// US Government DoD tenants: documented by Microsoft (`dod-graph.microsoft.us`) but not
    /// detectable from the portal address, which DoD shares with GCC High; the admin chooses it.
    pub fn us_government_dod() -> Self {
        GraphEndpoints { graph_host: "dod-graph.microsoft.us".to_owned(), ..Self::for_cloud(Cloud::UsGovernment) }
    }

    /// `https://<graph host>/<version><path>`; `path` starts with `/`.
    pub fn url(&self, version: GraphVersion, path: &str) -> String {
        format!("https://{}/{}{}", self.graph_host, version.as_str(), path)
    }

    /// The path after `/<version>` when `url` is an https address on this cloud's Graph host
    /// and that version, else `None`. Used before following any link Graph returns, so a
    /// tampered or misrouted `@odata.nextLink` can never send the token elsewhere.
    pub fn own_path<'a>(&self, url: &'a str, version: GraphVersion) -> Option<&'a str> {
        let rest = url.strip_prefix("https://")?;
        let (authority, path) = rest.split_at(rest.find('/')?);
        let host = authority.strip_suffix(":443").unwrap_or(authority);
        if !host.eq_ignore_ascii_case(&self.graph_host) {
            return None;
        }
        let path = path.strip_prefix('/')?.strip_prefix(version.as_str())?;
        (path.starts_with('/') && !path.contains('#') && !path.contains('\\')).then_some(path)
    }
}

/// Address of a policy in the portal: the Entra admin center of the cloud, or the Azure
/// portal for China, whose admin center host is unconfirmed.
///
/// ```
/// use registration_guard::context::Cloud;
/// use registration_guard::graph::policy_portal_link;
/// assert_eq!(policy_portal_link(Cloud::Global, "A1B2"),
///     "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/a1b2");
/// ```
pub fn policy_portal_link(cloud: Cloud, policy_id: &str) -> String {
    let host = cloud.admin_center_host().unwrap_or(cloud.azure_portal_host());
    format!(
        "https://{host}/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/{}",
        codec::percent_encode(&policy_id.to_ascii_lowercase())
    )
}

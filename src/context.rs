//! Where is the admin? Turns the address of an Entra admin center or Azure portal page
//! into a [`PortalContext`]: cloud, portal, tenant hint and Conditional Access area.
//!
//! Microsoft does not document portal addresses; the forms handled here are the ones seen
//! in public code and docs (the `portal-urls.tsv` corpus): the current `#view/<extension>/<blade>/~/<menu>`
//! form, the legacy `#blade/<extension>/<blade>/<menu>` form, tenant hints `#@contoso.onmicrosoft.com/…`
//! and `entra.microsoft.com/<tenant id>#view/…`. Anything unrecognised on a portal host is
//! [`Area::Other`], never an error: the panel then offers only its launcher.
//!
//! ```
//! use registration_guard::context::{parse_portal_url, Area, Cloud, TenantHint};
//!
//! let ctx = parse_portal_url(
//!     "https://portal.azure.com/#@contoso.onmicrosoft.com/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
//! ).unwrap();
//! assert_eq!(ctx.cloud, Cloud::Global);
//! assert_eq!(ctx.area, Area::Policies);
//! assert_eq!(ctx.tenant, Some(TenantHint::Domain("contoso.onmicrosoft.com".into())));
//! assert_eq!(ctx.summary(), "Conditional Access › Policies · contoso.onmicrosoft.com · Global cloud");
//! ```

use crate::graph::codec::percent_decode_path;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The Microsoft cloud a page, a sign-in or a token belongs to. Tokens never cross clouds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cloud {
    /// The worldwide cloud (entra.microsoft.com, portal.azure.com).
    Global,
    /// US Government (GCC High and DoD share the portal and sign-in hosts).
    UsGovernment,
    /// China, operated by 21Vianet.
    China,
}

impl Cloud {
    /// Name shown to the admin.
    pub fn label(self) -> &'static str {
        match self {
            Cloud::Global => "Global cloud",
            Cloud::UsGovernment => "US Government cloud",
            Cloud::China => "China cloud (21Vianet)",
        }
    }

    /// Host of the sign-in service (authorize and token endpoints, block page).
    pub fn login_host(self) -> &'static str {
        match self {
            Cloud::Global => "login.microsoftonline.com",
            Cloud::UsGovernment => "login.microsoftonline.us",
            Cloud::China => "login.chinacloudapi.cn",
        }
    }

    /// Host of Microsoft Graph. For US Government this is the GCC High host; DoD tenants use
    /// `dod-graph.microsoft.us`, which the portal address alone cannot tell apart.
    pub fn graph_host(self) -> &'static str {
        match self {
            Cloud::Global => "graph.microsoft.com",
            Cloud::UsGovernment => "graph.microsoft.us",
            Cloud::China => "microsoftgraph.chinacloudapi.cn",
        }
    }

    /// Host of the Entra admin center, when the cloud has a confirmed one (China's is unconfirmed).
    pub fn admin_center_host(self) -> Option<&'static str> {
        match self {
            Cloud::Global => Some("entra.microsoft.com"),
            Cloud::UsGovernment => Some("entra.microsoft.us"),
            Cloud::China => None,
        }
    }

    /// Host of the Azure portal.
    pub fn azure_portal_host(self) -> &'static str {
        match self {
            Cloud::Global => "portal.azure.com",
            Cloud::UsGovernment => "portal.azure.us",
            Cloud::China => "portal.azure.cn",
        }
    }

    /// The cloud whose sign-in service runs on `host` (case-insensitive, port and trailing dot
    /// allowed), or `None` for any other host. Besides each cloud's [`Cloud::login_host`], this
    /// accepts `login.microsoft.com` and the legacy `login.windows.net` (Global), which serve the
    /// same sign-in pages, and `login.partner.microsoftonline.cn` (China).
    ///
    /// ```
    /// use registration_guard::context::Cloud;
    /// assert_eq!(Cloud::from_sign_in_host("LOGIN.microsoftonline.us:443"), Some(Cloud::UsGovernment));
    /// assert_eq!(Cloud::from_sign_in_host("login.partner.microsoftonline.cn"), Some(Cloud::China));
    /// assert_eq!(Cloud::from_sign_in_host("login.example.com"), None);
    /// ```
    pub fn from_sign_in_host(host: &str) -> Option<Cloud> {
        match normalise_host(host).as_str() {
            "login.microsoftonline.com" | "login.microsoft.com" | "login.windows.net" => {
                Some(Cloud::Global)
            }
            "login.microsoftonline.us" => Some(Cloud::UsGovernment),
            "login.chinacloudapi.cn" | "login.partner.microsoftonline.cn" => Some(Cloud::China),
            _ => None,
        }
    }
}

/// Which of Microsoft's admin portals the page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Portal {
    /// A Microsoft admin center built on the portal framework: the Entra admin center, and the
    /// Intune admin center, which opens the same Conditional Access blades.
    AdminCenter,
    /// The Azure portal, including its Entra ID (formerly Azure AD) blades.
    AzurePortal,
}

/// The tenant named in the page address, when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TenantHint {
    /// A verified domain such as `contoso.onmicrosoft.com` (lower-cased).
    Domain(String),
    /// A tenant id (GUID, lower-cased).
    Id(String),
    /// `#@/`: the signed-in account's default directory.
    DefaultDirectory,
}

impl TenantHint {
    /// The domain, the tenant id, or "default directory".
    pub fn label(&self) -> String {
        match self {
            TenantHint::Domain(domain) => domain.clone(),
            TenantHint::Id(id) => id.clone(),
            TenantHint::DefaultDirectory => "default directory".to_string(),
        }
    }
}

/// Where in the portal the admin is, as far as Registration Guard cares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Area {
    /// Conditional Access landing page (Overview).
    ConditionalAccessOverview,
    /// The list of Conditional Access policies.
    Policies,
    /// One policy; `None` while the admin creates a new one.
    Policy { id: Option<String> },
    /// Named locations (where trusted locations are defined).
    NamedLocations,
    /// The What If tool.
    WhatIf,
    /// The gallery of Microsoft's policy templates.
    Templates,
    /// Another Conditional Access section (authentication contexts, strengths, terms of use…),
    /// named from the address, e.g. "Authentication context".
    OtherConditionalAccess { section: String },
    /// Tenant properties, where security defaults are turned off before Conditional Access is used.
    SecurityDefaults,
    /// Authentication methods, or password reset (which sets the methods users register for SSPR).
    AuthenticationMethods,
    /// Any other portal page.
    Other,
}

impl Area {
    /// Breadcrumb-style name, e.g. "Conditional Access › Policies".
    pub fn label(&self) -> String {
        match self {
            Area::ConditionalAccessOverview => "Conditional Access › Overview".to_string(),
            Area::Policies => "Conditional Access › Policies".to_string(),
            Area::Policy { id: Some(id) } => {
                let short: String = id.chars().take(8).collect();
                format!("Conditional Access › Policy {short}…")
            }
            Area::Policy { id: None } => "Conditional Access › New policy".to_string(),
            Area::NamedLocations => "Conditional Access › Named locations".to_string(),
            Area::WhatIf => "Conditional Access › What If".to_string(),
            Area::Templates => "Conditional Access › Templates".to_string(),
            Area::OtherConditionalAccess { section } => format!("Conditional Access › {section}"),
            Area::SecurityDefaults => "Properties (security defaults)".to_string(),
            Area::AuthenticationMethods => "Authentication methods".to_string(),
            Area::Other => "Outside Conditional Access".to_string(),
        }
    }

    /// Whether the page is part of Conditional Access itself.
    pub fn is_conditional_access(&self) -> bool {
        matches!(
            self,
            Area::ConditionalAccessOverview
                | Area::Policies
                | Area::Policy { .. }
                | Area::NamedLocations
                | Area::WhatIf
                | Area::Templates
                | Area::OtherConditionalAccess { .. }
        )
    }
}

/// What the extension knows about the portal page the admin is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalContext {
    pub cloud: Cloud,
    pub portal: Portal,
    /// The page host, lower-cased, without port or trailing dot.
    pub host: String,
    pub tenant: Option<TenantHint>,
    pub area: Area,
    /// `<extension>/<blade>` from the address, e.g. `Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade`.
    pub blade: Option<String>,
    /// The host is a retired address (e.g. `aad.portal.azure.com`) that Microsoft redirects elsewhere.
    pub retired_host: bool,
}

impl PortalContext {
    /// One line for the panel header: area, tenant (when known) and cloud.
    pub fn summary(&self) -> String {
        match &self.tenant {
            Some(tenant) => format!(
                "{} · {} · {}",
                self.area.label(),
                tenant.label(),
                self.cloud.label()
            ),
            None => format!("{} · {}", self.area.label(), self.cloud.label()),
        }
    }

    /// Whether to open the full panel (pages where protecting registration is the task at hand)
    /// rather than only the small launcher.
    pub fn wants_full_panel(&self) -> bool {
        matches!(
            self.area,
            Area::ConditionalAccessOverview
                | Area::Policies
                | Area::Policy { .. }
                | Area::NamedLocations
                | Area::WhatIf
                | Area::Templates
                | Area::SecurityDefaults
                | Area::AuthenticationMethods
        )
    }

    /// Address of a policy in the portal the admin is using (on its current host, never a
    /// retired one), or `None` when `policy_id` is not a GUID.
    pub fn policy_url(&self, policy_id: &str) -> Option<String> {
        if !is_guid(policy_id) {
            return None;
        }
        let host = match self.portal {
            Portal::AdminCenter => self
                .cloud
                .admin_center_host()
                .unwrap_or(self.cloud.azure_portal_host()),
            Portal::AzurePortal => self.cloud.azure_portal_host(),
        };
        Some(format!(
            "https://{host}/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/{}",
            policy_id.to_ascii_lowercase()
        ))
    }
}

/// Why an address gives no portal context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextError {
    /// The address is readable but is not an Entra admin center or Azure portal page.
    NotAPortal { host: String },
    /// The address cannot be read; the text says what is wrong with it.
    InvalidUrl(String),
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextError::NotAPortal { host } => write!(
                f,
                "{host} is not the Microsoft Entra admin center or the Azure portal: open Conditional Access at \
                 https://entra.microsoft.com (or portal.azure.com, portal.azure.us, portal.azure.cn) to use Registration Guard"
            ),
            ContextError::InvalidUrl(reason) => write!(
                f,
                "This page address cannot be read ({reason}): copy the full address from the browser's address bar, \
                 starting with https://"
            ),
        }
    }
}

impl std::error::Error for ContextError {}

/// Reads a portal page address into a [`PortalContext`].
///
/// Never panics. Hosts are matched case-insensitively, with or without port and trailing dot.
/// Placeholders copied from documentation (`<GUID>`, `[ObjectId`, `{tenantId}`) are not taken for
/// tenants or policy ids.
pub fn parse_portal_url(url: &str) -> Result<PortalContext, ContextError> {
    let parts = split_url(url)?;
    let (cloud, portal, retired_host) =
        classify_host(&parts.host).ok_or_else(|| ContextError::NotAPortal {
            host: parts.host.clone(),
        })?;

    let fragment = parts.fragment.trim_start_matches('/');
    let (fragment_tenant, route) = match fragment.strip_prefix('@') {
        Some(after_at) => match after_at.split_once('/') {
            Some((tenant, route)) => (Some(tenant_from_fragment(tenant)), route),
            None => (Some(tenant_from_fragment(after_at)), ""),
        },
        None => (None, fragment),
    };
    // A tenant in the fragment (`#@…`) wins over one in the path: the portal routes by the fragment.
    let tenant = match fragment_tenant {
        Some(hint) => hint,
        None => tenant_from_path(parts.path),
    };

    let route = Route::parse(route);
    let area = route.as_ref().map(Route::area).unwrap_or(Area::Other);
    let blade = route.map(|r| format!("{}/{}", r.extension, r.blade));

    Ok(PortalContext {
        cloud,
        portal,
        host: parts.host,
        tenant,
        area,
        blade,
        retired_host,
    })
}

/// Colour scheme of the portal page, so the panel frame can match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    /// Decides from the page's computed background colour (`rgb(…)`/`rgba(…)` as
    /// `getComputedStyle` reports it), falling back to the browser's `prefers-color-scheme`
    /// when the colour is missing, transparent or unreadable. The portal's own theme setting
    /// can differ from the browser's, so the painted colour is the better witness.
    ///
    /// ```
    /// use registration_guard::context::Theme;
    /// assert_eq!(Theme::from_facts(Some("rgb(27, 26, 25)"), false), Theme::Dark);
    /// assert_eq!(Theme::from_facts(Some("rgba(0, 0, 0, 0)"), false), Theme::Light);
    /// assert_eq!(Theme::from_facts(None, true), Theme::Dark);
    /// ```
    pub fn from_facts(background_color: Option<&str>, prefers_dark: bool) -> Theme {
        let fallback = if prefers_dark {
            Theme::Dark
        } else {
            Theme::Light
        };
        match background_color.and_then(parse_css_rgb) {
            Some((r, g, b, alpha)) if alpha > 0.0 => {
                let luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
                if luminance < 128.0 {
                    Theme::Dark
                } else {
                    Theme::Light
                }
            }
            _ => fallback,
        }
    }
}

/// `rgb(r, g, b)`, `rgba(r, g, b, a)` or `rgb(r g b / a)` → channels 0–255 and alpha 0–1.
fn parse_css_rgb(text: &str) -> Option<(f64, f64, f64, f64)> {
    let text = text.trim().to_ascii_lowercase();
    let inner = text
        .strip_prefix("rgba(")
        .or_else(|| text.strip_prefix("rgb("))?
        .strip_suffix(')')?;
    let numbers: Vec<f64> = inner
        .split(|c: char| c == ',' || c == '/' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse::<f64>().ok().filter(|n| n.is_finite()))
        .collect::<Option<_>>()?;
    match numbers.as_slice() {
        [r, g, b] => Some((*r, *g, *b, 1.0)),
        [r, g, b, a] => Some((*r, *g, *b, *a)),
        _ => None,
    }
}

struct UrlParts<'a> {
    host: String,
    path: &'a str,
    fragment: &'a str,
}

fn split_url(url: &str) -> Result<UrlParts<'_>, ContextError> {
    let trimmed = url.trim();
    if trimmed.is_empty() {
        return Err(ContextError::InvalidUrl("the address is empty".to_string()));
    }
    let after_scheme = match trimmed.find("://") {
        Some(at) if !trimmed[..at].contains(['/', '?', '#']) => {
            let scheme = &trimmed[..at];
            if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
                return Err(ContextError::InvalidUrl(format!(
                    "“{scheme}:” addresses are not web pages"
                )));
            }
            &trimmed[at + 3..]
        }
        // Addresses pasted without a scheme ("entra.microsoft.com/#view/…") are still readable.
        _ => trimmed.trim_start_matches("//"),
    };
    let authority_end = after_scheme
        .find(['/', '?', '#', '\\'])
        .unwrap_or(after_scheme.len());
    let (authority, rest) = after_scheme.split_at(authority_end);
    let host_and_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if host_and_port.starts_with('[') {
        // An IPv6 literal is never a portal; keep it whole for the message.
        host_and_port
            .split_once(']')
            .map_or(host_and_port, |(ip, _)| ip)
            .to_string()
            + "]"
    } else {
        match host_and_port.rsplit_once(':') {
            Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host.to_string(),
            Some((_, port)) => {
                return Err(ContextError::InvalidUrl(format!(
                    "the port “{port}” is not a number"
                )));
            }
            None => host_and_port.to_string(),
        }
    };
    let host = normalise_host(&host);
    if host.is_empty() {
        return Err(ContextError::InvalidUrl(
            "the address has no host name".to_string(),
        ));
    }
    let (before_fragment, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let path = before_fragment
        .split_once('?')
        .map_or(before_fragment, |(path, _)| path);
    Ok(UrlParts {
        host,
        path,
        fragment,
    })
}

/// Lower-cases and drops a trailing dot and port, so `Entra.Microsoft.com.:443` matches.
fn normalise_host(host: &str) -> String {
    let host = host.trim();
    let host = match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            name
        }
        _ => host,
    };
    host.trim_end_matches('.').to_lowercase()
}

/// Cloud, portal and whether the host is retired.
fn classify_host(host: &str) -> Option<(Cloud, Portal, bool)> {
    let known = match host {
        "entra.microsoft.com" => (Cloud::Global, Portal::AdminCenter, false),
        "entra.microsoft.us" => (Cloud::UsGovernment, Portal::AdminCenter, false),
        "portal.azure.com" => (Cloud::Global, Portal::AzurePortal, false),
        "portal.azure.us" => (Cloud::UsGovernment, Portal::AzurePortal, false),
        "portal.azure.cn" => (Cloud::China, Portal::AzurePortal, false),
        // Live variants of the Azure portal: the Microsoft-tenant view and the preview build.
        "ms.portal.azure.com" | "preview.portal.azure.com" => {
            (Cloud::Global, Portal::AzurePortal, false)
        }
        // The Intune admin center opens the same Conditional Access blades as the Entra admin center.
        "intune.microsoft.com" => (Cloud::Global, Portal::AdminCenter, false),
        "intune.microsoft.us" => (Cloud::UsGovernment, Portal::AdminCenter, false),
        // Retired hosts that still appear in docs and bookmarks and redirect to their successors:
        // the Azure AD admin center (now entra.microsoft.com) and the Endpoint Manager admin
        // center (now intune.microsoft.com).
        "aad.portal.azure.com" => (Cloud::Global, Portal::AzurePortal, true),
        "endpoint.microsoft.com" => (Cloud::Global, Portal::AdminCenter, true),
        _ => return None,
    };
    Some(known)
}

/// The value after `#@`: empty means the default directory; a placeholder means no hint.
fn tenant_from_fragment(raw: &str) -> Option<TenantHint> {
    if raw.is_empty() {
        return Some(TenantHint::DefaultDirectory);
    }
    tenant_from_segment(raw)
}

/// `entra.microsoft.com/<tenant id or domain>#view/…`: the first path segment, when it is one.
fn tenant_from_path(path: &str) -> Option<TenantHint> {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    tenant_from_segment(first)
}

fn tenant_from_segment(raw: &str) -> Option<TenantHint> {
    let decoded = percent_decode_path(raw);
    let value = decoded.trim().to_lowercase();
    if is_guid(&value) {
        Some(TenantHint::Id(value))
    } else if is_domain(&value) {
        Some(TenantHint::Domain(value))
    } else {
        None
    }
}

/// A route in the portal fragment: `view/<extension>/<blade>/…` or legacy `blade/<extension>/<blade>/…`.
struct Route {
    extension: String,
    blade: String,
    /// The menu item: after `~` in the view form, or the odd leading segment in the legacy form.
    menu: Option<String>,
    /// Segments after the blade (decoded), for `key/value` lookups such as `policyId/<id>`.
    tail: Vec<String>,
}

impl Route {
    fn parse(route: &str) -> Option<Route> {
        let route = route.split(['?', '#']).next().unwrap_or("");
        let segments: Vec<String> = route.split('/').map(percent_decode_path).collect();
        let kind = segments.first()?.to_ascii_lowercase();
        if kind != "view" && kind != "blade" {
            return None;
        }
        let extension = segments.get(1).filter(|s| !s.is_empty())?.clone();
        let blade = segments.get(2).filter(|s| !s.is_empty())?.clone();
        let tail: Vec<String> = segments.get(3..).unwrap_or(&[]).to_vec();

        let menu = if tail.first().map(String::as_str) == Some("~") {
            tail.get(1).cloned()
        } else if kind == "blade" {
            // Legacy form: `ConditionalAccessBlade/Policies` names a menu item, whereas
            // `PolicyBlade/policyId/<id>` holds key/value pairs; an odd count means a menu comes first.
            let meaningful = tail
                .iter()
                .rposition(|s| !s.is_empty())
                .map_or(0, |last| last + 1);
            if meaningful % 2 == 1 {
                tail.first().cloned()
            } else {
                None
            }
        } else {
            None
        };
        let menu = menu.filter(|m| !m.is_empty());
        Some(Route {
            extension,
            blade,
            menu,
            tail,
        })
    }

    /// The value after `key` (case-insensitive) in the tail, `""` when the key has no value.
    fn param(&self, key: &str) -> Option<&str> {
        let at = self
            .tail
            .iter()
            .position(|s| s.trim_end_matches('~').eq_ignore_ascii_case(key))?;
        Some(self.tail.get(at + 1).map_or("", String::as_str))
    }

    fn area(&self) -> Area {
        let extension = self.extension.to_ascii_lowercase();
        let blade = self.blade.to_ascii_lowercase();
        let menu = self.menu.as_deref().map(str::to_ascii_lowercase);
        let is_entra_extension =
            extension == "microsoft_aad_conditionalaccess" || extension == "microsoft_aad_iam";
        if !is_entra_extension {
            return Area::Other;
        }
        match blade.as_str() {
            "conditionalaccessblade" => match menu.as_deref() {
                None | Some("overview") => Area::ConditionalAccessOverview,
                Some("policies") => Area::Policies,
                // `NamedNetworks(V2)` is the legacy menu name, still linked from older guides.
                Some("namedlocations" | "namednetworks" | "namednetworksv2") => {
                    Area::NamedLocations
                }
                Some("whatif") => Area::WhatIf,
                Some("templates") => Area::Templates,
                Some(_) => Area::OtherConditionalAccess {
                    section: humanise_menu(self.menu.as_deref().unwrap_or_default()),
                },
            },
            "policyblade" => match self.param("policyId") {
                None | Some("") => Area::Policy { id: None },
                Some(id) if is_guid(id.trim()) => Area::Policy {
                    id: Some(id.trim().to_ascii_lowercase()),
                },
                // A placeholder such as `<GUID>` names no policy the panel could open: the
                // admin is somewhere among the policies, which is all that can be said.
                Some(_) => Area::Policies,
            },
            "whatifblade" => Area::WhatIf,
            "catemplates.reactview" | "catemplatesblade" => Area::Templates,
            "activedirectorymenublade" if menu.as_deref() == Some("properties") => {
                Area::SecurityDefaults
            }
            // The Entra admin center shows tenant properties (with "Manage security defaults") as a tab
            // of the tenant overview; its tab id has not been seen in public links, hence the loose match.
            "tenantoverview.reactview"
                if self
                    .param("tabId")
                    .is_some_and(|tab| tab.to_ascii_lowercase().contains("properties")) =>
            {
                Area::SecurityDefaults
            }
            _ if blade.contains("securitydefaults") => Area::SecurityDefaults,
            // Password reset belongs with authentication methods: its Registration settings decide
            // what users register, which is exactly the registration the policy protects.
            "authenticationmethodsmenublade" | "passwordresetmenublade" => {
                Area::AuthenticationMethods
            }
            _ => Area::Other,
        }
    }
}

/// `AuthenticationContext` → "Authentication context"; keeps only letters, digits and spaces so
/// hostile addresses cannot inject text shapes into the label.
fn humanise_menu(menu: &str) -> String {
    let mut words = String::new();
    let mut previous_lower = false;
    for c in menu
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .take(60)
    {
        if c.is_uppercase() && previous_lower {
            words.push(' ');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        words.push(c);
    }
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => "Other section".to_string(),
    }
}

/// `8-4-4-4-12` hexadecimal digits.
pub(crate) fn is_guid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A DNS name with at least two labels and an alphabetic top-level label (so no IP addresses),
/// and not a file name such as `index.html` that a portal path can also hold.
fn is_domain(text: &str) -> bool {
    const FILE_EXTENSIONS: [&str; 8] = ["html", "htm", "aspx", "asp", "php", "js", "json", "xml"];
    let labels: Vec<&str> = text.split('.').collect();
    text.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| {
            tld.chars().all(|c| c.is_ascii_alphabetic()) && !FILE_EXTENSIONS.contains(tld)
        })
}

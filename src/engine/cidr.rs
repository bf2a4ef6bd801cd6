//! IP addresses, CIDR ranges and range sets, matched exactly as integer intervals.
//!
//! Conditional Access compares the **public egress address** of a sign-in with the ranges of IP
//! named locations. This module parses both (IPv4 and IPv6), answers "is this address inside
//! this set of ranges" without allocating, measures how much of the address space a set covers
//! (to spot catch-all trusted locations), and validates the ranges an admin types before they are
//! posted as a new trusted named location.
//!
//! # IPv4-mapped IPv6 addresses
//! `::ffff:203.0.113.7` is how dual-stack software writes an IPv4 client. An address in that form
//! is treated as the IPv4 address it carries, so it matches IPv4 ranges. Ranges are always matched
//! in their own family: an IPv6 range never matches an IPv4 address. When an admin types a range
//! inside `::ffff:0:0/96`, [`validate_trusted_ranges`] rewrites it as the IPv4 range it means and
//! says so, because an IPv6 range in that block would never match anything Entra sees.
//!
//! # Host bits
//! Graph accepted `12.34.221.11/22` in its own documentation: stored ranges may have host bits
//! set. Parsing clears them (the range is `12.34.220.0/22`); validation of typed ranges reports it
//! as a warning so the admin sees what will be saved.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

/// Most ranges one IP named location may hold (Entra limit).
pub const MAX_RANGES_PER_LOCATION: usize = 2000;

/// Graph rejects ranges whose prefix is this short or shorter (`/8` and wider), for both families.
pub const SHORTEST_FORBIDDEN_PREFIX: u8 = 8;

/// An IPv4 range with a shorter prefix than this (more than 65,536 addresses) is broader than
/// what an organisation normally owns: it usually means an ISP's or a cloud's whole block.
pub const BROAD_IPV4_PREFIX: u8 = 16;

/// An IPv6 range with a shorter prefix than this is an ISP-sized allocation (organisations
/// normally receive a /48).
pub const BROAD_IPV6_PREFIX: u8 = 32;

/// Share of the address space (IPv4: all of it; IPv6: the global unicast block `2000::/3`) from
/// which a set of trusted ranges is considered a catch-all: at or above one half, "outside
/// trusted locations" no longer describes anything an attacker cannot easily reach (any cloud VM
/// or VPN exit lands inside), so a policy scoped to untrusted locations practically never applies.
pub const CATCH_ALL_SHARE: f64 = 0.5;

/// An IPv4 or IPv6 address as an integer. IPv4-mapped IPv6 addresses are stored as IPv4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum IpAddress {
    V4(u32),
    V6(u128),
}

impl IpAddress {
    /// Parses `203.0.113.7`, `2001:db8::1` or `::ffff:203.0.113.7` (taken as IPv4).
    ///
    /// ```
    /// use registration_guard::engine::cidr::IpAddress;
    /// assert_eq!(IpAddress::parse("::ffff:203.0.113.7").unwrap(), IpAddress::parse("203.0.113.7").unwrap());
    /// assert!(IpAddress::parse("203.0.113.256").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<IpAddress, CidrError> {
        let trimmed = text.trim();
        match trimmed.parse::<IpAddr>() {
            Ok(ip) => Ok(IpAddress::from(ip)),
            Err(_) => Err(CidrError::new(text, CidrErrorKind::NotAnAddress)),
        }
    }

    pub fn is_ipv4(self) -> bool {
        matches!(self, IpAddress::V4(_))
    }
}

impl From<IpAddr> for IpAddress {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => IpAddress::V4(u32::from(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddress::V4(u32::from(v4)),
                None => IpAddress::V6(u128::from(v6)),
            },
        }
    }
}

impl fmt::Display for IpAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            IpAddress::V4(a) => write!(f, "{}", Ipv4Addr::from(a)),
            IpAddress::V6(a) => write!(f, "{}", Ipv6Addr::from(a)),
        }
    }
}

/// A CIDR range with its host bits cleared, e.g. `203.0.113.0/24` or `2001:db8::/48`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Cidr {
    V4 { network: u32, prefix: u8 },
    V6 { network: u128, prefix: u8 },
}

impl Cidr {
    /// Parses a range as stored in a named location (`cidrAddress`). Host bits are cleared
    /// silently, a bare address is a single-address range (/32 or /128), and an IPv4-mapped IPv6
    /// range (`::ffff:0:0/96` or longer) becomes the IPv4 range it denotes. No Graph limit is
    /// applied here: stored locations are read as they are; see [`validate_trusted_ranges`] for
    /// typed input.
    ///
    /// ```
    /// use registration_guard::engine::cidr::Cidr;
    /// let c = Cidr::parse("12.34.221.11/22").unwrap();
    /// assert_eq!(c.to_string(), "12.34.220.0/22");
    /// ```
    pub fn parse(text: &str) -> Result<Cidr, CidrError> {
        Cidr::parse_detailed(text).map(|parsed| parsed.cidr)
    }

    /// Like [`Cidr::parse`], also telling what was normalised.
    fn parse_detailed(text: &str) -> Result<ParsedCidr, CidrError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(CidrError::new(text, CidrErrorKind::Empty));
        }
        let (addr_text, prefix_text) = match trimmed.split_once('/') {
            Some((a, p)) => (a.trim(), Some(p.trim())),
            None => (trimmed, None),
        };
        let ip: IpAddr = addr_text
            .parse()
            .map_err(|_| CidrError::new(text, CidrErrorKind::NotAnAddress))?;
        let max = match ip {
            IpAddr::V4(_) => 32u8,
            IpAddr::V6(_) => 128u8,
        };
        let prefix = match prefix_text {
            None => max,
            Some(p) => {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 3 {
                    return Err(CidrError::new(text, CidrErrorKind::PrefixNotANumber));
                }
                let value: u16 = p
                    .parse()
                    .map_err(|_| CidrError::new(text, CidrErrorKind::PrefixNotANumber))?;
                if value > u16::from(max) {
                    return Err(CidrError::new(text, CidrErrorKind::PrefixTooLong { max }));
                }
                value as u8
            }
        };
        let (cidr, host_bits_set, mapped) = match ip {
            IpAddr::V4(v4) => {
                let raw = u32::from(v4);
                let network = raw & mask_v4(prefix);
                (Cidr::V4 { network, prefix }, network != raw, false)
            }
            IpAddr::V6(v6) => {
                let raw = u128::from(v6);
                if prefix >= 96 && raw >> 32 == 0xffff {
                    let v4_prefix = prefix - 96;
                    let raw4 = raw as u32;
                    let network = raw4 & mask_v4(v4_prefix);
                    (
                        Cidr::V4 {
                            network,
                            prefix: v4_prefix,
                        },
                        network != raw4,
                        true,
                    )
                } else {
                    let network = raw & mask_v6(prefix);
                    (Cidr::V6 { network, prefix }, network != raw, false)
                }
            }
        };
        Ok(ParsedCidr {
            cidr,
            host_bits_set,
            mapped,
            had_prefix: prefix_text.is_some(),
        })
    }

    pub fn prefix(&self) -> u8 {
        match *self {
            Cidr::V4 { prefix, .. } | Cidr::V6 { prefix, .. } => prefix,
        }
    }

    pub fn is_ipv4(&self) -> bool {
        matches!(self, Cidr::V4 { .. })
    }

    /// First address of the range (the network address).
    pub fn first(&self) -> IpAddress {
        match *self {
            Cidr::V4 { network, .. } => IpAddress::V4(network),
            Cidr::V6 { network, .. } => IpAddress::V6(network),
        }
    }

    /// Last address of the range (the broadcast address for IPv4).
    pub fn last(&self) -> IpAddress {
        match *self {
            Cidr::V4 { network, prefix } => IpAddress::V4(network | !mask_v4(prefix)),
            Cidr::V6 { network, prefix } => IpAddress::V6(network | !mask_v6(prefix)),
        }
    }

    /// Whether `addr` lies in the range, edges included. Families never mix.
    ///
    /// ```
    /// use registration_guard::engine::cidr::{Cidr, IpAddress};
    /// let c = Cidr::parse("203.0.113.0/24").unwrap();
    /// assert!(c.contains(IpAddress::parse("203.0.113.255").unwrap()));
    /// assert!(!c.contains(IpAddress::parse("203.0.114.0").unwrap()));
    /// ```
    pub fn contains(&self, addr: IpAddress) -> bool {
        match (*self, addr) {
            (Cidr::V4 { network, prefix }, IpAddress::V4(a)) => a & mask_v4(prefix) == network,
            (Cidr::V6 { network, prefix }, IpAddress::V6(a)) => a & mask_v6(prefix) == network,
            _ => false,
        }
    }

    /// Whether every address of `other` is also in `self`.
    pub fn covers(&self, other: &Cidr) -> bool {
        self.is_ipv4() == other.is_ipv4()
            && self.prefix() <= other.prefix()
            && self.contains(other.first())
    }

    /// Number of addresses in the range as a float (a /0 IPv6 range does not fit in an integer).
    pub fn size(&self) -> f64 {
        match *self {
            Cidr::V4 { prefix, .. } => 2f64.powi(32 - i32::from(prefix)),
            Cidr::V6 { prefix, .. } => 2f64.powi(128 - i32::from(prefix)),
        }
    }

    /// Whether the range is wider than what an organisation normally owns
    /// (see [`BROAD_IPV4_PREFIX`], [`BROAD_IPV6_PREFIX`]).
    pub fn is_broad(&self) -> bool {
        match *self {
            Cidr::V4 { prefix, .. } => prefix < BROAD_IPV4_PREFIX,
            Cidr::V6 { prefix, .. } => prefix < BROAD_IPV6_PREFIX,
        }
    }

    /// The reserved block this range lies in when it can never be a sign-in's public egress
    /// address (private, loopback, link-local, shared carrier-grade NAT, unique-local, multicast).
    pub fn non_public_block(&self) -> Option<&'static str> {
        let first = self.first();
        let last = self.last();
        NON_PUBLIC_BLOCKS.iter().find_map(|(text, name)| {
            let block = Cidr::parse(text).expect("reserved block table holds valid ranges");
            (block.contains(first) && block.contains(last)).then_some(*name)
        })
    }

    /// Integer interval of the range within its family.
    fn interval(&self) -> Interval {
        match (self.first(), self.last()) {
            (IpAddress::V4(a), IpAddress::V4(b)) => Interval::V4(a, b),
            (IpAddress::V6(a), IpAddress::V6(b)) => Interval::V6(a, b),
            _ => unreachable!("first and last of one range share its family"),
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.first(), self.prefix())
    }
}

/// Blocks that never appear as a public egress address, with the name an admin knows them by.
const NON_PUBLIC_BLOCKS: &[(&str, &str)] = &[
    ("10.0.0.0/8", "private network (10.0.0.0/8)"),
    ("172.16.0.0/12", "private network (172.16.0.0/12)"),
    ("192.168.0.0/16", "private network (192.168.0.0/16)"),
    ("127.0.0.0/8", "loopback (127.0.0.0/8)"),
    ("169.254.0.0/16", "link-local (169.254.0.0/16)"),
    ("100.64.0.0/10", "carrier-grade NAT (100.64.0.0/10)"),
    ("0.0.0.0/8", "unspecified (0.0.0.0/8)"),
    ("224.0.0.0/4", "multicast (224.0.0.0/4)"),
    ("::1/128", "loopback (::1)"),
    ("::/128", "unspecified (::)"),
    ("fc00::/7", "unique local (fc00::/7)"),
    ("fe80::/10", "link-local (fe80::/10)"),
    ("ff00::/8", "multicast (ff00::/8)"),
];

struct ParsedCidr {
    cidr: Cidr,
    host_bits_set: bool,
    mapped: bool,
    had_prefix: bool,
}

fn mask_v4(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

fn mask_v6(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix))
    }
}

#[derive(Clone, Copy)]
enum Interval {
    V4(u32, u32),
    V6(u128, u128),
}

/// A set of ranges compiled to sorted, merged integer intervals: membership is a binary search
/// and never allocates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl RangeSet {
    /// Builds the set; overlapping and adjacent ranges are merged.
    pub fn new<'a>(ranges: impl IntoIterator<Item = &'a Cidr>) -> RangeSet {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for range in ranges {
            match range.interval() {
                Interval::V4(a, b) => v4.push((a, b)),
                Interval::V6(a, b) => v6.push((a, b)),
            }
        }
        RangeSet {
            v4: merge(v4),
            v6: merge(v6),
        }
    }

    /// Adds more ranges (used to fold several trusted locations into one set).
    pub fn extend<'a>(&mut self, ranges: impl IntoIterator<Item = &'a Cidr>) {
        let more = RangeSet::new(ranges);
        self.v4.extend(more.v4);
        self.v6.extend(more.v6);
        self.v4 = merge(std::mem::take(&mut self.v4));
        self.v6 = merge(std::mem::take(&mut self.v6));
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// Whether `addr` lies in any range of the set (same family only).
    pub fn contains(&self, addr: IpAddress) -> bool {
        match addr {
            IpAddress::V4(a) => interval_contains(&self.v4, a),
            IpAddress::V6(a) => interval_contains(&self.v6, a),
        }
    }

    /// Share of the whole IPv4 space the set covers, between 0 and 1.
    pub fn ipv4_share(&self) -> f64 {
        let covered: f64 = self.v4.iter().map(|&(a, b)| f64::from(b - a) + 1.0).sum();
        covered / 2f64.powi(32)
    }

    /// Share of the IPv6 global unicast block `2000::/3` (where every public IPv6 address lives)
    /// the set covers, between 0 and 1.
    pub fn ipv6_global_share(&self) -> f64 {
        const LO: u128 = 0x2000u128 << 112;
        const HI: u128 = (0x4000u128 << 112) - 1;
        let covered: f64 = self
            .v6
            .iter()
            .filter_map(|&(a, b)| {
                let lo = a.max(LO);
                let hi = b.min(HI);
                (lo <= hi).then(|| (hi - lo) as f64 + 1.0)
            })
            .sum();
        covered / 2f64.powi(125)
    }

    /// Whether the set covers so much of either family ([`CATCH_ALL_SHARE`]) that "outside these
    /// ranges" describes almost nothing.
    pub fn is_catch_all(&self) -> bool {
        self.ipv4_share() >= CATCH_ALL_SHARE || self.ipv6_global_share() >= CATCH_ALL_SHARE
    }
}

fn merge<T: Copy + Ord + One>(mut intervals: Vec<(T, T)>) -> Vec<(T, T)> {
    intervals.sort_unstable();
    let mut merged: Vec<(T, T)> = Vec::with_capacity(intervals.len());
    for (a, b) in intervals {
        match merged.last_mut() {
            // Adjacent ranges merge too: `last + 1 == a`, written so that it cannot overflow.
            Some(last) if a <= last.1 || T::succ_is(last.1, a) => {
                if b > last.1 {
                    last.1 = b;
                }
            }
            _ => merged.push((a, b)),
        }
    }
    merged
}

fn interval_contains<T: Copy + Ord>(intervals: &[(T, T)], x: T) -> bool {
    // Index of the first interval starting after x; the candidate is the one before it.
    let idx = intervals.partition_point(|&(a, _)| a <= x);
    idx > 0 && x <= intervals[idx - 1].1
}

/// Successor test for the merge, without overflow at the top of the space.
trait One {
    fn succ_is(a: Self, b: Self) -> bool;
}
impl One for u32 {
    fn succ_is(a: u32, b: u32) -> bool {
        a.checked_add(1) == Some(b)
    }
}
impl One for u128 {
    fn succ_is(a: u128, b: u128) -> bool {
        a.checked_add(1) == Some(b)
    }
}

/// Why a piece of text is not a usable address or range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CidrError {
    /// The text as given.
    pub input: String,
    pub kind: CidrErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum CidrErrorKind {
    Empty,
    NotAnAddress,
    PrefixNotANumber,
    PrefixTooLong { max: u8 },
}

impl CidrError {
    fn new(input: &str, kind: CidrErrorKind) -> CidrError {
        CidrError {
            input: input.to_string(),
            kind,
        }
    }
}

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = shorten(&self.input);
        match &self.kind {
            CidrErrorKind::Empty => write!(f, "An address or range is missing here"),
            CidrErrorKind::NotAnAddress => write!(
                f,
                "\"{shown}\" is not an IPv4 or IPv6 address: write a range like 203.0.113.0/24 or 2001:db8::/48"
            ),
            CidrErrorKind::PrefixNotANumber => write!(
                f,
                "\"{shown}\": the part after \"/\" must be a prefix length, a whole number such as 24"
            ),
            CidrErrorKind::PrefixTooLong { max } => write!(
                f,
                "\"{shown}\": the prefix length cannot be more than /{max} for this address family"
            ),
        }
    }
}

impl std::error::Error for CidrError {}

/// Keeps hostile or pasted-by-mistake input from flooding a message.
fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    let text = text.trim();
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// A range the admin typed that cannot be used, with its position (1-based) in the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeError {
    /// 1-based position of the entry in the list typed (entries are separated by new lines,
    /// commas, semicolons or spaces). 0 for errors about the whole list.
    pub position: usize,
    pub input: String,
    pub problem: RangeProblem,
    /// What to tell the admin.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum RangeProblem {
    /// Nothing was typed.
    NoRanges,
    /// The entry is not an address or range.
    Unparseable { detail: CidrErrorKind },
    /// The prefix is /8 or shorter, which Graph refuses.
    PrefixTooShort { prefix: u8 },
    /// More than [`MAX_RANGES_PER_LOCATION`] distinct ranges.
    TooManyRanges { count: usize },
}

/// Something the admin should see about a range that is still accepted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RangeWarning {
    pub position: usize,
    pub input: String,
    pub note: RangeNote,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum RangeNote {
    /// Host bits were set; the range saved is the network it belongs to.
    HostBitsCleared { saved_as: Cidr },
    /// A bare address was taken as a single-address range.
    SingleAddress { saved_as: Cidr },
    /// An IPv4-mapped IPv6 range was rewritten as the IPv4 range it means.
    MappedToIpv4 { saved_as: Cidr },
    /// The same range appears earlier; it is saved once.
    Duplicate { first_position: usize },
    /// An earlier, wider range already contains it; it is dropped.
    InsideAnotherRange { wider: Cidr, wider_position: usize },
    /// Wider than what an organisation normally owns.
    Broad { addresses: f64 },
    /// Can never be a sign-in's public egress address, so it never matches.
    NotPublic { block: String },
}

/// The ranges that will be saved, in the order typed, plus what the admin should know.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValidatedRanges {
    pub ranges: Vec<Cidr>,
    pub warnings: Vec<RangeWarning>,
}

/// Validates ranges typed for a new trusted IP named location, separated by new lines, commas,
/// semicolons or spaces. Every entry is checked and all errors are returned together. Accepted
/// entries are normalised (host bits cleared, bare addresses as /32 or /128, IPv4-mapped IPv6 as
/// IPv4) and de-duplicated; each normalisation produces a warning.
///
/// ```
/// use registration_guard::engine::cidr::validate_trusted_ranges;
/// let ok = validate_trusted_ranges("203.0.113.0/24\n2001:db8::/48").unwrap();
/// assert_eq!(ok.ranges.len(), 2);
/// let errors = validate_trusted_ranges("10.0.0.0/8, nonsense").unwrap_err();
/// assert_eq!(errors.len(), 2);
/// ```
pub fn validate_trusted_ranges(text: &str) -> Result<ValidatedRanges, Vec<RangeError>> {
    let entries: Vec<&str> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    validate_trusted_range_list(&entries)
}

/// [`validate_trusted_ranges`] for entries already split (one range per item; blank items skipped).
pub fn validate_trusted_range_list(entries: &[&str]) -> Result<ValidatedRanges, Vec<RangeError>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    // (range, position) of every accepted range so far.
    let mut accepted: Vec<(Cidr, usize)> = Vec::new();
    let mut position = 0;
    for raw in entries {
        let entry = raw.trim();
        if entry.is_empty() {
            continue;
        }
        position += 1;
        let parsed = match Cidr::parse_detailed(entry) {
            Ok(p) => p,
            Err(e) => {
                errors.push(RangeError {
                    position,
                    input: entry.to_string(),
                    message: format!("Entry {position}: {e}"),
                    problem: RangeProblem::Unparseable { detail: e.kind },
                });
                continue;
            }
        };
        let cidr = parsed.cidr;
        if cidr.prefix() <= SHORTEST_FORBIDDEN_PREFIX {
            errors.push(RangeError {
                position,
                input: entry.to_string(),
                message: format!(
                    "Entry {position}: {} is /{} — Entra refuses ranges of /{SHORTEST_FORBIDDEN_PREFIX} or wider. \
                     Enter the narrower ranges your offices and VPN actually use.",
                    shorten(entry),
                    cidr.prefix()
                ),
                problem: RangeProblem::PrefixTooShort { prefix: cidr.prefix() },
            });
            continue;
        }
        let mut warn = |note: RangeNote, message: String| {
            warnings.push(RangeWarning {
                position,
                input: entry.to_string(),
                note,
                message,
            });
        };
        if parsed.mapped {
            warn(
                RangeNote::MappedToIpv4 { saved_as: cidr },
                format!("Entry {position}: {} is an IPv4 range written as IPv6; it will be saved as {cidr}.", shorten(entry)),
            );
        }
        if parsed.host_bits_set {
            warn(
                RangeNote::HostBitsCleared { saved_as: cidr },
                format!(
                    "Entry {position}: {} is not the start of its range; the whole range {cidr} will be trusted.",
                    shorten(entry)
                ),
            );
        }
        if !parsed.had_prefix {
            warn(
                RangeNote::SingleAddress { saved_as: cidr },
                format!("Entry {position}: {} has no prefix; it will be saved as the single address {cidr}.", shorten(entry)),
            );
        }
        if let Some(&(_, first_position)) = accepted.iter().find(|(c, _)| *c == cidr) {
            warn(
                RangeNote::Duplicate { first_position },
                format!("Entry {position}: {cidr} repeats entry {first_position}; it will be saved once."),
            );
            continue;
        }
        if let Some(&(wider, wider_position)) = accepted.iter().find(|(c, _)| c.covers(&cidr)) {
            warn(
                RangeNote::InsideAnotherRange { wider, wider_position },
                format!("Entry {position}: {cidr} is already inside {wider} (entry {wider_position}); it will not be saved separately."),
            );
            continue;
        }
        if let Some(block) = cidr.non_public_block() {
            warn(
                RangeNote::NotPublic { block: block.to_string() },
                format!(
                    "Entry {position}: {cidr} is a {block} range. Entra sees the public address your network \
                     uses on the internet, so this range never matches; enter your public egress ranges instead."
                ),
            );
        }
        if cidr.is_broad() {
            let addresses = cidr.size();
            warn(
                RangeNote::Broad { addresses },
                format!(
                    "Entry {position}: {cidr} spans {} addresses — more than an organisation normally owns. \
                     Everyone on that network would count as trusted.",
                    group_thousands(addresses)
                ),
            );
        }
        // A later wider range swallows earlier narrower ones.
        let mut i = 0;
        while i < accepted.len() {
            let (narrow, narrow_position) = accepted[i];
            if cidr.covers(&narrow) {
                warnings.push(RangeWarning {
                    position: narrow_position,
                    input: narrow.to_string(),
                    note: RangeNote::InsideAnotherRange { wider: cidr, wider_position: position },
                    message: format!(
                        "Entry {narrow_position}: {narrow} is already inside {cidr} (entry {position}); it will not be saved separately."
                    ),
                });
                accepted.remove(i);
            } else {
                i += 1;
            }
        }
        accepted.push((cidr, position));
    }
    if position == 0 {
        errors.push(RangeError {
            position: 0,
            input: String::new(),
            problem: RangeProblem::NoRanges,
            message:
                "Enter at least one public IP range of your offices or VPN, such as 203.0.113.0/24."
                    .to_string(),
        });
    }
    if accepted.len() > MAX_RANGES_PER_LOCATION {
        errors.push(RangeError {
            position: 0,
            input: String::new(),
            problem: RangeProblem::TooManyRanges { count: accepted.len() },
            message: format!(
                "{} ranges: one named location holds at most {MAX_RANGES_PER_LOCATION}. Split them across several trusted locations.",
                accepted.len()
            ),
        });
    }
    if errors.is_empty() {
        Ok(ValidatedRanges {
            ranges: accepted.into_iter().map(|(c, _)| c).collect(),
            warnings,
        })
    } else {
        Err(errors)
    }
}

/// 8388608.0 → "8,388,608"; sizes from 10^15 up (to 2^128) in scientific form, "3.40e38".
/// Integer arithmetic only: the wasm module then carries no float formatter.
fn group_thousands(n: f64) -> String {
    if n >= 1e15 {
        let (mut mantissa, mut exponent) = (n, 0u32);
        while mantissa >= 10.0 {
            mantissa /= 10.0;
            exponent += 1;
        }
        let mut hundredths = (mantissa * 100.0).round() as u64;
        if hundredths >= 1000 {
            hundredths /= 10;
            exponent += 1;
        }
        return format!("{}.{:02}e{exponent}", hundredths / 100, hundredths % 100);
    }
    let digits = (n as u64).to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A share (0.0–1.0) as a whole percentage for messages: 0.874 → 87.
pub fn whole_percent(share: f64) -> u64 {
    (share * 100.0).round() as u64
}

//! CIDR parsing, exact matching at range edges, range sets and validation of typed trusted ranges.

use registration_guard::engine::cidr::{
    validate_trusted_range_list, validate_trusted_ranges, Cidr, CidrErrorKind, IpAddress,
    RangeNote, RangeProblem, RangeSet, MAX_RANGES_PER_LOCATION,
};

fn ip(s: &str) -> IpAddress {
    IpAddress::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn cidr(s: &str) -> Cidr {
    Cidr::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn ipv4_range_matches_network_and_broadcast_but_not_neighbours() {
    let c = cidr("203.0.113.0/24");
    assert!(c.contains(ip("203.0.113.0")));
    assert!(c.contains(ip("203.0.113.255")));
    assert!(!c.contains(ip("203.0.112.255")));
    assert!(!c.contains(ip("203.0.114.0")));
}

#[test]
fn ipv4_single_address_range_matches_only_that_address() {
    let c = cidr("198.51.100.7/32");
    assert!(c.contains(ip("198.51.100.7")));
    assert!(!c.contains(ip("198.51.100.6")));
    assert!(!c.contains(ip("198.51.100.8")));
}

#[test]
fn ipv6_range_matches_first_and_last_address_exactly() {
    let c = cidr("2001:db8:abcd::/48");
    assert!(c.contains(ip("2001:db8:abcd::")));
    assert!(c.contains(ip("2001:db8:abcd:ffff:ffff:ffff:ffff:ffff")));
    assert!(!c.contains(ip("2001:db8:abcc:ffff:ffff:ffff:ffff:ffff")));
    assert!(!c.contains(ip("2001:db8:abce::")));
}

#[test]
fn ipv6_single_address_range_matches_only_that_address() {
    let c = cidr("2001:db8::1/128");
    assert!(c.contains(ip("2001:db8::1")));
    assert!(!c.contains(ip("2001:db8::")));
    assert!(!c.contains(ip("2001:db8::2")));
}

#[test]
fn ranges_at_the_top_and_bottom_of_the_space_do_not_overflow() {
    let top4 = cidr("255.255.255.0/24");
    assert!(top4.contains(ip("255.255.255.255")));
    let all4 = cidr("0.0.0.0/0");
    assert!(all4.contains(ip("0.0.0.0")) && all4.contains(ip("255.255.255.255")));
    let top6 = cidr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120");
    assert!(top6.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
    let all6 = cidr("::/0");
    assert!(all6.contains(ip("::1")) && all6.contains(ip("ffff::")));
}

#[test]
fn families_never_match_each_other() {
    assert!(!cidr("0.0.0.0/0").contains(ip("2001:db8::1")));
    assert!(!cidr("::/0").contains(ip("203.0.113.1")));
}

#[test]
fn ipv4_mapped_ipv6_address_is_matched_as_ipv4() {
    let mapped = ip("::ffff:203.0.113.9");
    assert_eq!(mapped, ip("203.0.113.9"));
    assert!(cidr("203.0.113.0/24").contains(mapped));
}

#[test]
fn ipv4_mapped_ipv6_range_is_read_as_the_ipv4_range_it_denotes() {
    assert_eq!(cidr("::ffff:203.0.113.0/120"), cidr("203.0.113.0/24"));
}

#[test]
fn host_bits_are_cleared_when_reading_stored_ranges() {
    // Graph's own documentation example stores 12.34.221.11/22.
    let c = cidr("12.34.221.11/22");
    assert_eq!(c.to_string(), "12.34.220.0/22");
    assert!(c.contains(ip("12.34.223.255")));
    assert!(!c.contains(ip("12.34.224.0")));
    assert_eq!(
        cidr("2001:0:9d38:90d6:0:0:0:0/63").to_string(),
        "2001:0:9d38:90d6::/63"
    );
}

#[test]
fn malformed_addresses_and_prefixes_are_errors_with_messages() {
    let cases = [
        ("203.0.113.256/24", CidrErrorKind::NotAnAddress),
        ("203.0.113.0/33", CidrErrorKind::PrefixTooLong { max: 32 }),
        ("2001:db8::/129", CidrErrorKind::PrefixTooLong { max: 128 }),
        ("203.0.113.0/", CidrErrorKind::PrefixNotANumber),
        ("203.0.113.0/-1", CidrErrorKind::PrefixNotANumber),
        ("203.0.113.0/99999999999", CidrErrorKind::PrefixNotANumber),
        ("fe80::1%eth0/64", CidrErrorKind::NotAnAddress),
        ("<script>/24", CidrErrorKind::NotAnAddress),
        ("   ", CidrErrorKind::Empty),
    ];
    for (text, kind) in cases {
        let err = Cidr::parse(text).expect_err(text);
        assert_eq!(err.kind, kind, "{text}");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn error_message_shortens_very_long_input() {
    let long = "x".repeat(10_000);
    let err = Cidr::parse(&long).unwrap_err();
    assert!(err.to_string().len() < 200, "{}", err);
}

#[test]
fn range_set_matches_edges_of_merged_and_separate_ranges() {
    let ranges = [
        cidr("203.0.113.0/25"),
        cidr("203.0.113.128/25"),
        cidr("198.51.100.0/24"),
        cidr("2001:db8::/32"),
    ];
    let set = RangeSet::new(&ranges);
    assert!(set.contains(ip("203.0.113.0")));
    assert!(set.contains(ip("203.0.113.127")));
    assert!(set.contains(ip("203.0.113.128")));
    assert!(set.contains(ip("203.0.113.255")));
    assert!(!set.contains(ip("203.0.114.0")));
    assert!(set.contains(ip("198.51.100.255")));
    assert!(!set.contains(ip("198.51.101.0")));
    assert!(!set.contains(ip("198.51.99.255")));
    assert!(set.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
    assert!(!set.contains(ip("2001:db9::")));
    assert!(!RangeSet::default().contains(ip("203.0.113.1")));
}

#[test]
fn two_halves_of_the_ipv4_space_are_a_catch_all() {
    let set = RangeSet::new(&[cidr("0.0.0.0/1"), cidr("128.0.0.0/1")]);
    assert!((set.ipv4_share() - 1.0).abs() < 1e-12);
    assert!(set.is_catch_all());
    assert!(set.contains(ip("255.255.255.255")));
}

#[test]
fn many_slash_nine_ranges_covering_half_of_ipv4_are_a_catch_all() {
    // 256 × /9 = half of the IPv4 space, each range allowed by Graph on its own.
    let ranges: Vec<Cidr> = (0..256u32)
        .map(|i| Cidr::V4 {
            network: i << 23,
            prefix: 9,
        })
        .collect();
    let set = RangeSet::new(&ranges);
    assert!((set.ipv4_share() - 0.5).abs() < 1e-12);
    assert!(set.is_catch_all());
    let fewer = RangeSet::new(&ranges[..255]);
    assert!(!fewer.is_catch_all());
}

#[test]
fn ipv6_catch_all_is_measured_against_the_global_unicast_block() {
    assert!(RangeSet::new(&[cidr("2000::/3")]).is_catch_all());
    assert!(RangeSet::new(&[cidr("2000::/4")]).is_catch_all());
    assert!(!RangeSet::new(&[cidr("2000::/5")]).is_catch_all());
    // Unique-local space is not where sign-ins come from.
    assert!(!RangeSet::new(&[cidr("fc00::/7")]).is_catch_all());
}

#[test]
fn office_ranges_are_not_a_catch_all() {
    let set = RangeSet::new(&[cidr("203.0.113.0/24"), cidr("2001:db8::/48")]);
    assert!(!set.is_catch_all());
    assert!(set.ipv4_share() < 1e-6);
}

#[test]
fn validation_accepts_mixed_separators_and_both_families() {
    let ok =
        validate_trusted_ranges("203.0.113.0/24,198.51.100.0/24; 2001:db8::/48\r\n192.0.2.0/24  ")
            .unwrap();
    assert_eq!(
        ok.ranges,
        vec![
            cidr("203.0.113.0/24"),
            cidr("198.51.100.0/24"),
            cidr("2001:db8::/48"),
            cidr("192.0.2.0/24")
        ]
    );
    assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
}

#[test]
fn validation_rejects_slash_eight_and_wider_because_graph_does() {
    let errors = validate_trusted_ranges("20.0.0.0/8\n0.0.0.0/1\n2001::/8").unwrap_err();
    assert_eq!(errors.len(), 3);
    assert!(errors
        .iter()
        .all(|e| matches!(e.problem, RangeProblem::PrefixTooShort { .. })));
    assert_eq!(errors[0].position, 1);
    assert!(errors[0].message.contains("/8"), "{}", errors[0].message);
    assert!(validate_trusted_ranges("20.0.0.0/9").is_ok());
}

#[test]
fn validation_reports_every_bad_entry_with_its_position() {
    let errors = validate_trusted_ranges("203.0.113.0/24\nnot-an-ip\n198.51.100.0/40").unwrap_err();
    let positions: Vec<usize> = errors.iter().map(|e| e.position).collect();
    assert_eq!(positions, vec![2, 3]);
    assert!(errors[0].message.starts_with("Entry 2:"));
}

#[test]
fn validation_of_empty_input_asks_for_a_range() {
    let errors = validate_trusted_ranges(" \n , ").unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].problem, RangeProblem::NoRanges);
}

#[test]
fn validation_normalises_host_bits_with_a_warning() {
    let ok = validate_trusted_ranges("203.0.113.77/24").unwrap();
    assert_eq!(ok.ranges, vec![cidr("203.0.113.0/24")]);
    assert!(matches!(
        ok.warnings[0].note,
        RangeNote::HostBitsCleared { .. }
    ));
    assert!(ok.warnings[0].message.contains("203.0.113.0/24"));
}

#[test]
fn validation_takes_a_bare_address_as_a_single_address_range() {
    let ok = validate_trusted_ranges("198.51.100.7 2001:db8::7").unwrap();
    assert_eq!(
        ok.ranges,
        vec![cidr("198.51.100.7/32"), cidr("2001:db8::7/128")]
    );
    assert_eq!(
        ok.warnings
            .iter()
            .filter(|w| matches!(w.note, RangeNote::SingleAddress { .. }))
            .count(),
        2
    );
}

#[test]
fn validation_saves_duplicates_once() {
    let ok = validate_trusted_ranges("203.0.113.0/24\n203.0.113.0/24\n203.0.113.5/24").unwrap();
    assert_eq!(ok.ranges, vec![cidr("203.0.113.0/24")]);
    let duplicates = ok
        .warnings
        .iter()
        .filter(|w| matches!(w.note, RangeNote::Duplicate { first_position: 1 }))
        .count();
    assert_eq!(duplicates, 2);
}

#[test]
fn validation_drops_ranges_inside_wider_ones_in_either_order() {
    let ok = validate_trusted_ranges("203.0.113.0/24 203.0.113.128/25").unwrap();
    assert_eq!(ok.ranges, vec![cidr("203.0.113.0/24")]);
    let ok = validate_trusted_ranges("203.0.113.128/25 203.0.113.0/24").unwrap();
    assert_eq!(ok.ranges, vec![cidr("203.0.113.0/24")]);
    assert!(ok.warnings.iter().any(|w| matches!(
        w.note,
        RangeNote::InsideAnotherRange {
            wider_position: 2,
            ..
        }
    )));
}

#[test]
fn validation_warns_about_private_ranges_that_never_match() {
    let ok = validate_trusted_ranges("192.168.1.0/24 fd00::/64").unwrap();
    assert_eq!(ok.ranges.len(), 2);
    assert_eq!(
        ok.warnings
            .iter()
            .filter(|w| matches!(w.note, RangeNote::NotPublic { .. }))
            .count(),
        2
    );
    assert!(ok.warnings[0].message.contains("public"));
}

#[test]
fn validation_warns_about_ranges_broader_than_an_organisation_owns() {
    let ok = validate_trusted_ranges("20.0.0.0/9").unwrap();
    let broad = ok
        .warnings
        .iter()
        .find(|w| matches!(w.note, RangeNote::Broad { .. }))
        .expect("broad warning");
    assert!(broad.message.contains("8,388,608"), "{}", broad.message);
    assert!(validate_trusted_ranges("203.0.0.0/16")
        .unwrap()
        .warnings
        .is_empty());
}

#[test]
fn broad_ipv6_ranges_are_sized_in_scientific_form() {
    // 2^104 addresses: 2.03e31 — too long to group in thousands usefully.
    let ok = validate_trusted_ranges("2a00::/24").unwrap();
    let broad = ok
        .warnings
        .iter()
        .find(|w| matches!(w.note, RangeNote::Broad { .. }))
        .expect("broad warning");
    assert!(broad.message.contains("spans 2.03e31 addresses"), "{}", broad.message);
}

#[test]
fn shares_become_whole_percentages() {
    assert_eq!(registration_guard::engine::cidr::whole_percent(0.5), 50);
    assert_eq!(registration_guard::engine::cidr::whole_percent(0.874), 87);
    assert_eq!(registration_guard::engine::cidr::whole_percent(0.996), 100);
    assert_eq!(registration_guard::engine::cidr::whole_percent(0.0), 0);
}

#[test]
fn validation_rewrites_ipv4_mapped_ranges_as_ipv4() {
    let ok = validate_trusted_ranges("::ffff:203.0.113.0/120").unwrap();
    assert_eq!(ok.ranges, vec![cidr("203.0.113.0/24")]);
    assert!(matches!(
        ok.warnings[0].note,
        RangeNote::MappedToIpv4 { .. }
    ));
}

#[test]
fn validation_refuses_more_ranges_than_a_location_holds() {
    let texts: Vec<String> = (0..=MAX_RANGES_PER_LOCATION as u32)
        .map(|i| format!("{}/32", std::net::Ipv4Addr::from(0x0B00_0000u32 + i)))
        .collect();
    let entries: Vec<&str> = texts.iter().map(String::as_str).collect();
    let errors = validate_trusted_range_list(&entries).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].problem,
        RangeProblem::TooManyRanges {
            count: MAX_RANGES_PER_LOCATION + 1
        }
    );
    assert!(validate_trusted_range_list(&entries[..MAX_RANGES_PER_LOCATION]).is_ok());
}

//! CIDR parsing: every line is a range as an admin types it or Graph stores it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registration_guard::engine::cidr::{validate_trusted_ranges, Cidr, IpAddress, RangeSet};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = validate_trusted_ranges(&text);
    let mut parsed = Vec::new();
    for line in text.lines() {
        let _ = IpAddress::parse(line);
        let Ok(cidr) = Cidr::parse(line) else { continue };
        assert!(cidr.first() <= cidr.last());
        assert!(cidr.contains(cidr.first()) && cidr.contains(cidr.last()));
        assert!(cidr.covers(&cidr));
        // What we display (and send to Graph) must parse back to the same range.
        let shown = cidr.to_string();
        assert_eq!(Cidr::parse(&shown).ok(), Some(cidr), "{line:?} shows as {shown:?}");
        assert_eq!(IpAddress::parse(&cidr.first().to_string()).ok(), Some(cidr.first()));
        cidr.non_public_block();
        parsed.push(cidr);
    }
    let set = RangeSet::new(&parsed);
    for cidr in &parsed {
        assert!(set.contains(cidr.first()) && set.contains(cidr.last()), "{cidr} lost from its own set");
    }
    let share = set.ipv4_share();
    assert!((0.0..=1.0).contains(&share), "IPv4 share {share} out of range");
    let share = set.ipv6_global_share();
    assert!((0.0..=1.0).contains(&share), "IPv6 share {share} out of range");
    set.is_catch_all();
});

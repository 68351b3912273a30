//! The SSRF guard: which addresses a fetch may connect to.
//!
//! A URL is judged by the addresses its host resolves to, at the moment the connection is made
//! (the fetcher's resolver calls [`refusal`] on every address it hands to the connector), so a
//! name that resolves to a public address when checked and a private one when connected to
//! (DNS rebinding) cannot slip through. Literal IP hosts never reach a resolver, so the fetcher
//! checks them with [`refusal`] too, on the first URL and on every redirect.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

/// Why an address may not be fetched, or `None` when it is a public unicast address.
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refusal_v4(v4),
        IpAddr::V6(v6) => refusal_v6(v6),
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    if ip.is_private() {
        return Some("a private (RFC 1918) address");
    }
    if ip.is_link_local() {
        // 169.254.169.254 and the other cloud metadata endpoints live here.
        return Some("a link-local address (cloud metadata lives here)");
    }
    if ip.is_unspecified() || ip.octets()[0] == 0 {
        return Some("an unspecified (\"this network\") address");
    }
    if ip.is_multicast() {
        return Some("a multicast address");
    }
    if ip.is_broadcast() {
        return Some("the broadcast address");
    }
    if ip.is_documentation() {
        return Some("a documentation address");
    }
    const SPECIAL: &[(&str, &str)] = &[
        // Alibaba Cloud's metadata service (100.100.100.200) sits in the CGNAT block.
        ("100.64.0.0/10", "a carrier-grade NAT (shared) address"),
        ("192.0.0.0/24", "an IETF protocol assignment address"),
        ("198.18.0.0/15", "a benchmarking address"),
        ("240.0.0.0/4", "a reserved address"),
    ];
    SPECIAL.iter().find_map(|(net, reason)| {
        let net: Ipv4Net = net.parse().expect("valid literal network");
        net.contains(&ip).then_some(*reason)
    })
}

fn refusal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // IPv4 carried inside IPv6 is judged as the IPv4 address it reaches.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return refusal_v4(v4);
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    if ip.is_unspecified() {
        return Some("an unspecified address");
    }
    if ip.is_multicast() {
        return Some("a multicast address");
    }
    const SPECIAL: &[(&str, &str)] = &[
        ("fc00::/7", "a unique local (private) address"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a site-local address"),
        ("2001:db8::/32", "a documentation address"),
        ("100::/64", "a discard-only address"),
        // IPv4-compatible (deprecated) addresses.
        ("::/96", "an IPv4-compatible address"),
    ];
    if let Some(reason) = SPECIAL.iter().find_map(|(net, reason)| {
        let net: Ipv6Net = net.parse().expect("valid literal network");
        net.contains(&ip).then_some(*reason)
    }) {
        return Some(reason);
    }
    // Translation prefixes embed an IPv4 address that the packet finally reaches.
    let embedded = |net: &str, at: usize| -> Option<Ipv4Addr> {
        let net: Ipv6Net = net.parse().expect("valid literal network");
        net.contains(&ip).then(|| {
            let o = ip.octets();
            Ipv4Addr::new(o[at], o[at + 1], o[at + 2], o[at + 3])
        })
    };
    embedded("64:ff9b::/96", 12) // NAT64
        .or_else(|| embedded("2002::/16", 2)) // 6to4
        .and_then(refusal_v4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(ip: &str) -> Option<&'static str> {
        refusal(ip.parse().unwrap())
    }

    #[test]
    fn private_and_special_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.10",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:c0a8:0101::1",
            "2001:db8::1",
        ] {
            assert!(judged(ip).is_some(), "{ip} should be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "93.184.215.14",
            "1.1.1.1",
            "8.8.8.8",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ] {
            assert_eq!(judged(ip), None, "{ip} should pass");
        }
    }

    #[test]
    fn the_reason_names_the_kind_of_address() {
        assert_eq!(judged("10.1.1.1"), Some("a private (RFC 1918) address"));
        assert_eq!(
            judged("::ffff:10.1.1.1"),
            Some("a private (RFC 1918) address")
        );
        assert!(judged("169.254.169.254").unwrap().contains("metadata"));
    }
}

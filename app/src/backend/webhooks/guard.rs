//! The SSRF guard: a webhook goes only to a public address. The host is resolved here and every
//! address it resolves to is checked; the delivery then connects to the vetted address and no
//! other (reqwest's `resolve` pins it), so a name that resolves differently a moment later (DNS
//! rebinding) cannot turn a delivery inward. Hosts an administrator names in
//! `FRONTLINE_WEBHOOK_ALLOW_HOSTS` may be private (a receiver on the desk's own network).

use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// A URL that passed the guard, with the address to connect to.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: Url,
    /// The host as written in the URL (what `resolve` pins), without brackets.
    pub host: String,
    pub addr: SocketAddr,
}

/// Whether `ip` is one a webhook must not reach: loopback, private, link-local, unique-local,
/// unspecified, multicast, shared (carrier-grade NAT), reserved, or an IPv6 form of one of those.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || a == 0
        // 100.64.0.0/10, carrier-grade NAT
        || (a == 100 && (64..128).contains(&b))
        // 240.0.0.0/4, reserved
        || a >= 240
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let seg = ip.segments();
    // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible) and 64:ff9b::a.b.c.d (NAT64) carry an IPv4
    // address that is what is really reached
    let embedded = Ipv4Addr::new(
        (seg[6] >> 8) as u8,
        seg[6] as u8,
        (seg[7] >> 8) as u8,
        seg[7] as u8,
    );
    if seg[..5] == [0; 5]
        && (seg[5] == 0xffff || (seg[5] == 0 && !ip.is_loopback() && !ip.is_unspecified()))
    {
        return forbidden_v4(embedded);
    }
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return forbidden_v4(embedded);
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fe80::/10 link-local, fec0::/10 site-local (deprecated, still private)
        || (seg[0] & 0xffc0) == 0xfe80
        || (seg[0] & 0xffc0) == 0xfec0
        // fc00::/7 unique-local
        || (seg[0] & 0xfe00) == 0xfc00
}

/// Whether `host` is one the administrator allowed to be private.
fn allowed(host: &str, allow: &[String]) -> bool {
    allow.iter().any(|a| a.eq_ignore_ascii_case(host))
}

/// Parses and resolves `url`, refusing what the guard forbids; the error says why in words.
pub async fn vet(url: &str, allow: &[String]) -> Result<Target, String> {
    let url = Url::parse(url).map_err(|e| format!("the URL cannot be read: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("only http and https URLs are delivered to".into());
    }
    let host = url
        .host_str()
        .ok_or("the URL has no host")?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default().ok_or("the URL has no port")?;
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("{host} could not be resolved: {e}"))?
            .collect(),
    };
    let Some(first) = addrs.first().copied() else {
        return Err(format!("{host} resolves to no address"));
    };
    if !allowed(&host, allow) {
        if let Some(bad) = addrs.iter().find(|a| forbidden(a.ip())) {
            return Err(format!(
                "{host} is a private or local address ({}); name the host in FRONTLINE_WEBHOOK_ALLOW_HOSTS to allow it",
                bad.ip()
            ));
        }
    }
    Ok(Target {
        url,
        host,
        addr: first,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn local_and_private_addresses_are_forbidden() {
        for bad in [
            "127.0.0.1",
            "127.9.9.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
        ] {
            assert!(forbidden(ip(bad)), "{bad} must be refused");
        }
        for good in [
            "93.184.215.14",
            "172.32.0.1",
            "100.128.0.1",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
        ] {
            assert!(!forbidden(ip(good)), "{good} is public");
        }
    }

    #[tokio::test]
    async fn urls_to_forbidden_addresses_are_refused_unless_allowed() {
        let none: Vec<String> = Vec::new();
        for url in [
            "http://127.0.0.1:9/hook",
            "http://10.0.0.5/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://localhost:9/",
        ] {
            let err = vet(url, &none).await.unwrap_err();
            assert!(
                err.contains("FRONTLINE_WEBHOOK_ALLOW_HOSTS"),
                "{url}: {err}"
            );
        }
        let allow = vec!["127.0.0.1".to_string(), "LocalHost".to_string()];
        let t = vet("http://127.0.0.1:9/hook", &allow).await.unwrap();
        assert_eq!(t.addr, "127.0.0.1:9".parse().unwrap());
        assert!(vet("http://localhost:9/", &allow).await.is_ok());
        assert!(
            vet("http://10.0.0.5/", &allow).await.is_err(),
            "only named hosts"
        );
        assert!(vet("ftp://example.com/", &none).await.is_err());
        let t = vet("https://93.184.215.14/x", &none).await.unwrap();
        assert_eq!(t.addr.port(), 443);
    }
}

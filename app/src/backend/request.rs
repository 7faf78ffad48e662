//! Small helpers that server functions use to reach the shared state and the signed-in person.

use super::auth::{ClientInfo, Cookie};
use super::policy::Actor;
use super::state::{AppState, Settings};
use crate::model::{AppError, AppResult, Me};
use http::request::Parts;
use http::{header, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::net::{IpAddr, SocketAddr};

/// The signed-in user, put on each request by the server's session layer.
#[derive(Debug, Clone)]
pub struct SessionUser(pub Me);

pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

pub fn current_user() -> Option<Me> {
    parts().and_then(|p| p.extensions.get::<SessionUser>().map(|s| s.0.clone()))
}

/// The signed-in person, or 401.
pub fn actor() -> AppResult<Actor> {
    current_user()
        .map(|me| Actor::from(&me))
        .ok_or_else(AppError::sign_in_required)
}

/// The value of one of sign-in's cookies in this request.
pub fn cookie(cookie: Cookie, settings: &Settings) -> Option<String> {
    let parts = parts()?;
    let cookies = parts.headers.get(header::COOKIE)?.to_str().ok()?;
    cookie.find(cookies, settings).map(str::to_string)
}

pub fn session_token(settings: &Settings) -> Option<String> {
    cookie(Cookie::Session, settings)
}

/// Where the request comes from: the peer's address, or, when the peer is a trusted proxy,
/// the address it says it forwarded for; and whether the browser is trusted to skip the code.
pub fn client_info(settings: &Settings) -> ClientInfo {
    let trusted_proxies = &settings.trusted_proxies;
    let Some(parts) = parts() else {
        return ClientInfo::default();
    };
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip());
    let forwarded_for = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    ClientInfo {
        ip: peer.map(|peer| client_address(peer, forwarded_for, trusted_proxies).to_string()),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        trusted_browser: cookie(Cookie::TrustedBrowser, settings),
    }
}

/// The client's address: behind trusted proxies, the right-most address in `X-Forwarded-For`
/// that is not one of them (what came before it could be written by the client itself).
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = forwarded_for
        .unwrap_or_default()
        .split(',')
        .map_while(|hop| hop.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|hop| !trusted.contains(hop))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

/// An address or a network (`10.0.0.0/8`, `::1`), as an operator lists them in a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

impl AddressRange {
    /// This machine: 127.0.0.1 and ::1.
    pub fn loopback() -> [AddressRange; 2] {
        [
            AddressRange::from(IpAddr::from([127, 0, 0, 1])),
            AddressRange::from(IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
        ]
    }

    /// Whether `addr` is in the range; an IPv4 address seen through an IPv6 socket
    /// (`::ffff:10.1.2.3`) counts as the IPv4 address it is.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let bits = u32::from(self.prefix);
        match (self.network, addr.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                u32::from(net) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                u128::from(net) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

impl From<IpAddr> for AddressRange {
    fn from(addr: IpAddr) -> Self {
        let network = addr.to_canonical();
        let prefix = if network.is_ipv4() { 32 } else { 128 };
        AddressRange { network, prefix }
    }
}

impl std::str::FromStr for AddressRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let wrong = || format!("\"{s}\" is not an IP address or network (like 10.0.0.0/8)");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s.trim(), None),
        };
        let single = AddressRange::from(addr.parse::<IpAddr>().map_err(|_| wrong())?);
        match prefix {
            None => Ok(single),
            Some(prefix) => match prefix.parse::<u8>() {
                Ok(prefix) if prefix <= single.prefix => Ok(AddressRange { prefix, ..single }),
                _ => Err(wrong()),
            },
        }
    }
}

pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        res.append_header(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::{client_address, AddressRange};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_address_is_taken_from_trusted_proxies_only() {
        let proxy = ip("10.0.0.5");
        let trusted = [proxy];
        // straight from the client: its own address, whatever it claims
        assert_eq!(
            client_address(ip("203.0.113.9"), Some("1.2.3.4"), &trusted),
            ip("203.0.113.9")
        );
        // through the proxy: the address it saw
        assert_eq!(
            client_address(proxy, Some("198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        // a client that writes its own header cannot choose: the right-most hop counts
        assert_eq!(
            client_address(proxy, Some("1.2.3.4, 198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        // a chain of trusted proxies is walked past
        let two = [proxy, ip("10.0.0.6")];
        assert_eq!(
            client_address(proxy, Some("198.51.100.7, 10.0.0.6"), &two),
            ip("198.51.100.7")
        );
        // a proxy that sent nothing usable: the proxy itself
        assert_eq!(client_address(proxy, None, &trusted), proxy);
        assert_eq!(client_address(proxy, Some("garbage"), &trusted), proxy);
    }

    #[test]
    fn address_ranges_match_their_network_only() {
        let range = |s: &str| s.parse::<AddressRange>().unwrap();
        assert!(range("10.0.0.0/8").contains(ip("10.200.3.4")));
        assert!(!range("10.0.0.0/8").contains(ip("11.0.0.1")));
        assert!(range("192.0.2.7").contains(ip("192.0.2.7")));
        assert!(!range("192.0.2.7").contains(ip("192.0.2.8")));
        assert!(range("0.0.0.0/0").contains(ip("203.0.113.9")));
        assert!(!range("0.0.0.0/0").contains(ip("2001:db8::1")));
        assert!(range("2001:db8::/32").contains(ip("2001:db8:1::5")));
        assert!(!range("2001:db8::/32").contains(ip("2001:db9::5")));
        // an IPv4 peer on a dual-stack socket
        assert!(range("127.0.0.1").contains(ip("::ffff:127.0.0.1")));
        let [v4, v6] = AddressRange::loopback();
        assert!(v4.contains(ip("127.0.0.1")) && v6.contains(ip("::1")));
        assert!(
            !v4.contains(ip("127.0.0.2")),
            "exactly the two loopback addresses"
        );
        for wrong in [
            "",
            "localhost",
            "10.0.0.0/33",
            "::1/129",
            "10.0.0.0/x",
            "10.0.0.0/",
        ] {
            assert!(wrong.parse::<AddressRange>().is_err(), "{wrong:?}");
        }
    }
}

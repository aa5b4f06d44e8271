//! The client's address: the peer, or, behind a trusted reverse proxy, what it says in
//! `X-Forwarded-For`. A client cannot choose its own address by sending the header directly.
use actix_web::dev::ServiceRequest;
use std::net::IpAddr;

pub fn client_ip(req: &ServiceRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok());
    let hops: Vec<&str> = forwarded.flat_map(|v| v.split(',')).map(str::trim).collect();
    // Rightmost first: each trusted proxy appends the address it saw; the first address not
    // of a trusted proxy is the client. Garbage ends the walk at the last good address.
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return Some(ip),
            Err(_) => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn request(peer: &str, forwarded: Option<&str>) -> ServiceRequest {
        let mut req = TestRequest::default().peer_addr(format!("{peer}:40000").parse().unwrap());
        if let Some(value) = forwarded {
            req = req.insert_header(("X-Forwarded-For", value));
        }
        req.to_srv_request()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(client_ip(&request("203.0.113.9", Some("198.51.100.1")), &[]), Some(ip("203.0.113.9")));
    }

    #[test]
    fn behind_a_trusted_proxy_the_forwarded_client_counts() {
        let trusted = [ip("10.0.0.2")];
        let req = request("10.0.0.2", Some("198.51.100.7, 10.0.0.2"));
        assert_eq!(client_ip(&req, &trusted), Some(ip("198.51.100.7")));
    }

    #[test]
    fn a_client_cannot_spoof_past_the_proxy() {
        let trusted = [ip("10.0.0.2")];
        // The client sent "1.2.3.4" itself; the proxy appended the real address.
        let req = request("10.0.0.2", Some("1.2.3.4, 198.51.100.7"));
        assert_eq!(client_ip(&req, &trusted), Some(ip("198.51.100.7")));
    }

    #[test]
    fn garbage_in_the_header_falls_back_to_the_proxy() {
        let trusted = [ip("10.0.0.2")];
        assert_eq!(client_ip(&request("10.0.0.2", Some("not-an-ip")), &trusted), Some(ip("10.0.0.2")));
    }
}

//! Rate limits: on the RSVP form, against bots flooding it, per client address and per email
//! address, each a budget per hour; on the check-in API, per door pass, a budget per minute far
//! above any door's pace, against a runaway scanner or a leaked pass. Budgets refill steadily
//! (GCRA, via `governor`). Kept in this instance's memory: losing them on restart is harmless,
//! and behind a load balancer each instance limits its share.

use std::{net::IpAddr, num::NonZeroU32};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use poem::Request;
use tsudoi_domain::ids::DoorPassId;

/// The budgets; 0 turns a limit off.
#[derive(Clone, Copy, Debug)]
pub struct Budgets {
    pub per_ip_per_hour: u32,
    pub per_email_per_hour: u32,
    /// Check-in API requests per door pass and minute.
    pub per_pass_per_minute: u32,
}

impl Default for Budgets {
    /// An office or a university behind one address may send many people to one event, so the
    /// address budget is generous; one email address rarely needs more than a few tries.
    fn default() -> Self {
        // A busy gate scans one ticket every two seconds, and staff search as they type; a few
        // phones may share a pass. Ten requests a second, with bursts of 200, is far above that.
        Budgets { per_ip_per_hour: 60, per_email_per_hour: 10, per_pass_per_minute: 600 }
    }
}

pub struct Limits {
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_email: Option<DefaultKeyedRateLimiter<String>>,
    per_pass: Option<DefaultKeyedRateLimiter<DoorPassId>>,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(per_hour: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    // A burst of a quarter of the hour's budget (at least three: a person may mistype twice),
    // then a steady refill.
    let per_hour = NonZeroU32::new(per_hour)?;
    let burst = NonZeroU32::new((per_hour.get() / 4).max(3).min(per_hour.get()))?;
    Some(RateLimiter::keyed(Quota::per_hour(per_hour).allow_burst(burst)))
}

impl Limits {
    pub fn new(quota: Budgets) -> Self {
        let per_pass = NonZeroU32::new(quota.per_pass_per_minute).and_then(|per_minute| {
            let burst = NonZeroU32::new((per_minute.get() / 3).max(1))?;
            Some(RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)))
        });
        Limits {
            per_ip: limiter(quota.per_ip_per_hour),
            per_email: limiter(quota.per_email_per_hour),
            per_pass,
        }
    }

    /// Spends one request from the door pass's budget; false when it is spent.
    pub fn allow_pass(&self, pass: DoorPassId) -> bool {
        self.per_pass.as_ref().is_none_or(|l| l.check_key(&pass).is_ok())
    }

    /// Spends one RSVP from the address's budget; false when it is spent.
    pub fn allow_ip(&self, ip: IpAddr) -> bool {
        self.per_ip.as_ref().is_none_or(|l| l.check_key(&ip).is_ok())
    }

    /// Spends one RSVP from the email address's budget (normalised here: case and spaces).
    pub fn allow_email(&self, email: &str) -> bool {
        self.per_email.as_ref().is_none_or(|l| l.check_key(&email.trim().to_lowercase()).is_ok())
    }

    /// Forgets keys whose budget is full again, so memory stays bounded.
    pub fn prune(&self) {
        if let Some(l) = &self.per_ip {
            l.retain_recent();
        }
        if let Some(l) = &self.per_email {
            l.retain_recent();
        }
        if let Some(l) = &self.per_pass {
            l.retain_recent();
        }
    }
}

/// The client's address: the peer, or behind a trusted proxy the last address it appended to
/// `X-Forwarded-For` (the one the proxy saw; earlier entries are whatever the client claimed).
pub fn client_ip(req: &Request, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|ip| ip.trim().parse::<IpAddr>().ok())
            .next_back();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    req.remote_addr().as_socket_addr().map(|a| a.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_budget_refuses_until_it_refills() {
        let limits =
            Limits::new(Budgets { per_ip_per_hour: 16, per_email_per_hour: 4, per_pass_per_minute: 0 });
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        assert!((0..4).all(|_| limits.allow_ip(ip)), "a burst of a quarter of the hour");
        assert!(!limits.allow_ip(ip));
        assert!(limits.allow_ip("192.0.2.8".parse().unwrap()), "other addresses keep theirs");
        assert!(limits.allow_email("Hanako@Example.jp") && limits.allow_email("hanako@example.jp"));
        assert!(limits.allow_email(" HANAKO@example.jp"), "at least three tries");
        assert!(!limits.allow_email("hanako@example.jp "), "the same address however typed");
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let limits =
            Limits::new(Budgets { per_ip_per_hour: 0, per_email_per_hour: 0, per_pass_per_minute: 0 });
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        assert!((0..1000).all(|_| limits.allow_ip(ip) && limits.allow_email("a@example.jp")));
    }

    #[test]
    fn the_proxy_decides_the_address_only_when_trusted() {
        let req = Request::builder().header("x-forwarded-for", "203.0.113.9, 198.51.100.4").finish();
        assert_eq!(client_ip(&req, true), Some("198.51.100.4".parse().unwrap()));
        assert_eq!(client_ip(&req, false), None, "no peer in a built request, and the header is ignored");
    }
}

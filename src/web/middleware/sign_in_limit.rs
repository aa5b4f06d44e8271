//! Sign-ins per user name (self-enrollment): on top of the per-address limit, so spreading a
//! password guess over many addresses gains nothing. Keystone's own lockout counts them too.
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

pub struct SignInLimits {
    by_name: DefaultKeyedRateLimiter<String>,
}

impl SignInLimits {
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Self { by_name: RateLimiter::keyed(Quota::per_minute(per_minute)) }
    }

    /// `None`: go on; else the seconds to wait. Names are compared without case, per domain.
    pub fn check(&self, user_name: &str, domain: Option<&str>) -> Option<u64> {
        let key = format!("{}\u{0}{}", domain.unwrap_or("").to_lowercase(), user_name.trim().to_lowercase());
        self.by_name.check_key(&key).err().map(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }

    pub fn forget_idle(&self) {
        self.by_name.retain_recent();
        self.by_name.shrink_to_fit();
    }
}

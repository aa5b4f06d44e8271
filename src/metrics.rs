//! Prometheus metrics: the onboarding funnel, Keystone call latency, and open records by stage.
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Every counter the service keeps; cheap to clone (the collectors are shared).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    pub links_issued: IntCounter,
    pub links_renewed: IntCounter,
    pub links_revoked: IntCounter,
    pub reminders_sent: IntCounter,
    pub pin_failures: IntCounter,
    pub totp_failures: IntCounter,
    pub lockouts: IntCounter,
    pub passwords_set: IntCounter,
    pub totp_enrolled: IntCounter,
    pub completions: IntCounter,
    /// Self-enrollment sign-ins Keystone refused (wrong password or unknown user).
    pub self_enroll_refused: IntCounter,
    /// Self-enrollments completed.
    pub self_enrolled: IntCounter,
    pub rate_limited: IntCounterVec,
    pub keystone_seconds: HistogramVec,
    /// Keystone calls sent again on a new connection after the first copy got no answer.
    pub keystone_retries: IntCounter,
    pub open_records: IntGaugeVec,
}

fn counter(registry: &Registry, name: &str, help: &str) -> Result<IntCounter, prometheus::Error> {
    let counter = IntCounter::new(name, help)?;
    registry.register(Box::new(counter.clone()))?;
    Ok(counter)
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let c = |name: &str, help: &str| counter(&registry, name, help);
        let metrics = Self {
            links_issued: c("setpass_links_issued_total", "One-time links issued for new records")?,
            links_renewed: c("setpass_links_renewed_total", "One-time links renewed")?,
            links_revoked: c("setpass_links_revoked_total", "Records revoked by an admin")?,
            reminders_sent: c("setpass_link_reminders_sent_total", "Reminders mailed before a link expired")?,
            pin_failures: c("setpass_pin_failures_total", "Wrong PINs")?,
            totp_failures: c("setpass_totp_failures_total", "Wrong authenticator codes")?,
            lockouts: c("setpass_lockouts_total", "Links locked after too many wrong attempts")?,
            passwords_set: c("setpass_passwords_set_total", "Passwords changed in Keystone")?,
            totp_enrolled: c("setpass_totp_enrolled_total", "TOTP credentials created in Keystone")?,
            completions: c("setpass_completions_total", "Onboardings completed")?,
            self_enroll_refused: c(
                "setpass_self_enroll_refused_total",
                "Self-enrollment sign-ins Keystone refused (wrong password or unknown user)",
            )?,
            self_enrolled: c("setpass_self_enrolled_total", "Self-enrollments completed")?,
            keystone_retries: c(
                "setpass_keystone_retries_total",
                "Keystone calls sent again on a new connection after a closed one gave no answer",
            )?,
            rate_limited: IntCounterVec::new(
                Opts::new("setpass_rate_limited_total", "Requests refused by the rate limit"),
                &["audience"],
            )?,
            keystone_seconds: HistogramVec::new(
                HistogramOpts::new("setpass_keystone_request_duration_seconds", "Keystone call latency")
                    .buckets(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
                &["operation", "status"],
            )?,
            open_records: IntGaugeVec::new(
                Opts::new("setpass_open_records", "Unexpired records by stage"),
                &["stage"],
            )?,
            registry,
        };
        metrics.registry.register(Box::new(metrics.rate_limited.clone()))?;
        metrics.registry.register(Box::new(metrics.keystone_seconds.clone()))?;
        metrics.registry.register(Box::new(metrics.open_records.clone()))?;
        Ok(metrics)
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            log::error!("encoding metrics: {err}");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_in_prometheus_text_format() {
        let metrics = Metrics::new().unwrap();
        metrics.completions.inc();
        metrics.keystone_seconds.with_label_values(&["password change", "204"]).observe(0.02);
        metrics.open_records.with_label_values(&["totp"]).set(3);
        let text = metrics.render();
        assert!(text.contains("setpass_completions_total 1"), "{text}");
        assert!(text.contains("setpass_keystone_request_duration_seconds_count{operation=\"password change\",status=\"204\"} 1"), "{text}");
        assert!(text.contains("setpass_open_records{stage=\"totp\"} 3"), "{text}");
    }
}

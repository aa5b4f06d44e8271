//! What every handler shares: the settings the web layer reads (limits, pages), the use cases'
//! dependencies, and the admin check.
use crate::access::AdminGuard;
use crate::config::Settings;
use crate::onboarding::Deps;
use std::sync::Arc;

pub struct AppState {
    pub settings: Settings,
    pub deps: Arc<Deps>,
    pub admin: AdminGuard,
    /// Self-enrollment sign-ins per user name.
    pub sign_ins: crate::web::middleware::SignInLimits,
}

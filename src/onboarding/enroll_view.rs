//! Self-enrollment, between the halves: the QR code of a started enrollment again, for the page
//! that answers a wrong code (the code form shows it beside the error, as the link's page does).
use super::{Deps, Error, TotpView};
use crate::crypto::Purpose;
use crate::domain::{Refusal, TotpSecret};

/// The enrollment's QR code and key; `EnrollmentUnknown` once it expired or ended.
pub async fn enrollment_totp(deps: &Deps, enrollment: &str) -> Result<TotpView, Error> {
    let found =
        deps.store.enrollment(enrollment, deps.clock.now()).await?.ok_or(Refusal::EnrollmentUnknown)?;
    let opened = super::open_secret(deps, &found.secret_ct, &found.user_id, Purpose::TotpSecret)?;
    let secret = TotpSecret::parse(&opened).map_err(Error::internal)?;
    Ok(TotpView {
        otpauth_uri: secret.otpauth_uri(&deps.policy.totp.issuer, &found.user_name),
        secret,
        account: found.user_name.clone(),
        needs_password: false,
        attempts_left: deps.policy.limits.max_totp_attempts.saturating_sub(found.code_failures),
        // The enroll pages word their own step.
        authenticator_only: false,
    })
}

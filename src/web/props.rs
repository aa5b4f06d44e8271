//! Property tests of the body decoders: arbitrary bytes never panic, and no error message ever
//! quotes a value the caller sent (it may be a PIN or a password).
use super::body_shapes::{decode_form, IssueBody, PasswordBody, StepForm, TotpBody};
use super::decode_json;
use proptest::prelude::*;

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_any_decoder(body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode_json::<IssueBody>(Some("application/json"), &body);
        let _ = decode_json::<PasswordBody>(None, &body);
        let _ = decode_json::<TotpBody>(Some("text/plain"), &body);
        let _ = decode_form::<StepForm>(&body);
    }

    #[test]
    fn a_number_where_a_string_belongs_is_never_echoed(pin in 10_000_000u64..u64::MAX) {
        let body = format!("{{\"token\": \"t\", \"pin\": {pin}, \"password\": \"p\"}}");
        let message = decode_json::<PasswordBody>(Some("application/json"), body.as_bytes()).err().unwrap().to_string();
        prop_assert!(!message.contains(&pin.to_string()), "{}", message);
    }

    #[test]
    fn a_wrong_value_anywhere_is_never_echoed(secret in "[A-Za-z0-9]{12,20}") {
        for body in [
            format!("{{\"pin\": [\"{secret}\"]}}"),
            format!("{{\"pin\": {{\"{secret}\": 1}}}}"),
            format!("{{\"password\": \"{secret}\", \"{secret}\": 1}}"),
            format!("[\"{secret}\"]"),
            format!("\"{secret}\""),
        ] {
            if let Err(err) = decode_json::<IssueBody>(None, body.as_bytes()) {
                let message = err.to_string();
                prop_assert!(!message.contains(&secret) || message.contains("unknown field"), "{}", message);
            }
        }
    }

    #[test]
    fn form_fields_round_trip(pin in "[0-9]{4}", password in "[ -~]{1,40}") {
        let body = serde_urlencoded::to_string([("pin", &pin), ("password", &password)]).unwrap();
        let form: StepForm = decode_form(body.as_bytes()).unwrap();
        use secrecy::ExposeSecret;
        let (got_pin, got_password) = (form.pin.unwrap(), form.password.unwrap());
        prop_assert_eq!(got_pin.expose_secret(), pin.as_str());
        prop_assert_eq!(got_password.expose_secret(), password.as_str());
    }
}

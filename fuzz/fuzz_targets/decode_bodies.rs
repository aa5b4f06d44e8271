//! Fuzzes every body and query decoder of the service: any bytes, any content type. A panic or
//! an error message that quotes the input back is a finding.
#![no_main]
use libfuzzer_sys::fuzz_target;
use setpass::web::body_shapes::{decode_form, decode_query, IssueBody, LinkQuery, PasswordBody, StatusBody, StepForm, TotpBody};
use setpass::web::decode_json;

fuzz_target!(|data: &[u8]| {
    let (content_type, body) = match data.split_first() {
        Some((0, rest)) => (None, rest),
        Some((1, rest)) => (Some("application/json; charset=utf-8"), rest),
        Some((_, rest)) => (Some("application/json"), rest),
        None => (None, data),
    };
    let _ = decode_json::<IssueBody>(content_type, body);
    let _ = decode_json::<StatusBody>(content_type, body);
    let _ = decode_json::<PasswordBody>(content_type, body);
    if let Err(err) = decode_json::<TotpBody>(content_type, body) {
        // A value of 8+ characters from the input must not come back in the message.
        let message = err.to_string();
        if let Ok(text) = std::str::from_utf8(body) {
            // Field names are named in messages on purpose ("`password`: wrong type").
            let field = |w: &str| ["token", "pin", "password", "code"].contains(&w);
            let value = |w: &&str| w.len() >= 8 && w.chars().all(|c| c.is_ascii_alphanumeric()) && !field(w);
            for word in text.split('"').filter(value) {
                assert!(!message.contains(word) || message.contains("unknown field"), "echoed {word}: {message}");
            }
        }
    }
    let _ = decode_form::<StepForm>(body);
    if let Ok(query) = std::str::from_utf8(body) {
        let _ = decode_query::<LinkQuery>(query);
    }
});

//! Reading request bodies with a size limit, and JSON errors that never echo a value back.
use crate::web::error::AppError;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

/// Reads the whole body, refusing more than `limit` bytes (413) before buffering them.
/// The buffer is wiped when dropped: bodies carry PINs and passwords.
pub async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Zeroizing<Vec<u8>>, AppError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(AppError::PayloadTooLarge(limit));
    }
    // A client that stalls its body is cut off like one that stalls its head.
    let timeout = req
        .app_data::<web::Data<crate::web::state::AppState>>()
        .map_or(std::time::Duration::from_secs(10), |state| {
            state.settings.limits.client_request_timeout.as_std()
        });
    tokio::time::timeout(timeout, read_all(payload, declared, limit))
        .await
        .map_err(|_| AppError::RequestTimeout)?
}

async fn read_all(
    mut payload: web::Payload,
    declared: Option<u64>,
    limit: usize,
) -> Result<Zeroizing<Vec<u8>>, AppError> {
    // Reserved up front so growing the buffer leaves no stray copies behind.
    let mut body = Zeroizing::new(Vec::with_capacity(declared.unwrap_or(1024).min(limit as u64) as usize));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("the request body could not be read".into()))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge(limit));
        }
        if body.len() + chunk.len() > body.capacity() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(limit));
            bigger.extend_from_slice(&body);
            body = bigger;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A form a browser posted (`application/x-www-form-urlencoded`), or 415 for another type.
pub async fn read_form<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<T, AppError> {
    let media = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !media.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return Err(AppError::UnsupportedMediaType("send the form as a web browser does".into()));
    }
    let body = read_body(req, payload, limit).await?;
    crate::web::body_shapes::decode_form(&body)
}

/// A JSON body, or 415 for another content type. A missing content type is read as JSON.
pub fn parse_json<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> Result<T, AppError> {
    let content_type = req.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap_or(""));
    decode_json(content_type, body)
}

/// The same from the raw `Content-Type` value (if any) and body bytes.
pub fn decode_json<T: DeserializeOwned>(content_type: Option<&str>, body: &[u8]) -> Result<T, AppError> {
    if let Some(content_type) = content_type {
        let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if media != "application/json" && !media.ends_with("+json") {
            return Err(AppError::UnsupportedMediaType(
                "send the body as JSON with Content-Type: application/json".into(),
            ));
        }
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        AppError::BadRequest(describe(&path, err.inner()))
    })?;
    de.end()
        .map_err(|_| AppError::BadRequest("the body has trailing characters after the JSON value".into()))?;
    Ok(value)
}

/// serde_json's messages quote the offending value ("invalid type: integer `1234`"), which may be a
/// PIN or a password; keep what was expected and where, drop the value.
fn describe(path: &str, err: &serde_json::Error) -> String {
    let text = err.to_string();
    // The position comes last, and the value (which may contain anything) before it.
    let text = text.rsplit_once(" at line ").map_or(text.as_str(), |(message, _)| message);
    let field = if path == "." { String::new() } else { format!("`{path}`: ") };
    if err.is_syntax() || err.is_eof() {
        return "the body is not valid JSON".into();
    }
    // "invalid type: <the value sent>, expected <our type>": the last ", expected " is ours (found
    // by fuzzing: a value containing ", expected " leaked through the first one).
    if let Some((_, expected)) =
        text.strip_prefix("invalid type: ").and_then(|rest| rest.rsplit_once(", expected "))
    {
        return format!("{field}wrong type, expected {expected}");
    }
    if text.starts_with("invalid value") || text.starts_with("invalid length") {
        return format!("{field}invalid value");
    }
    // unknown/duplicate/missing field messages name fields only.
    format!("{field}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        pin: Option<String>,
    }

    fn parse(body: &str) -> Result<Body, AppError> {
        let req = TestRequest::default().insert_header((CONTENT_TYPE, "application/json")).to_http_request();
        parse_json(&req, body.as_bytes())
    }

    #[test]
    fn a_wrong_type_is_described_without_echoing_the_value() {
        let message = parse(r#"{"pin": 987654}"#).unwrap_err().to_string();
        assert_eq!(message, "`pin`: wrong type, expected a string");
        assert!(!message.contains("987654"));
    }

    #[test]
    fn a_value_that_imitates_the_message_format_is_still_not_echoed() {
        let sneaky = r#""SECRETVALUE, expected x at line 9 column 9""#;
        let message = parse(sneaky).unwrap_err().to_string();
        assert!(!message.contains("SECRETVALUE"), "{message}");
        assert_eq!(message, "wrong type, expected struct Body");
    }

    #[test]
    fn unknown_fields_and_bad_syntax_are_named() {
        assert!(parse(r#"{"pn": "1"}"#).unwrap_err().to_string().contains("unknown field `pn`"));
        assert_eq!(parse("{").unwrap_err().to_string(), "the body is not valid JSON");
        assert!(parse(r#"{"pin": "1"} x"#).is_err());
    }

    #[test]
    fn duplicate_fields_are_refused() {
        assert!(parse(r#"{"pin": "1", "pin": "2"}"#).unwrap_err().to_string().contains("duplicate field"));
    }

    #[test]
    fn a_form_body_is_refused_as_unsupported() {
        let req = TestRequest::default()
            .insert_header((CONTENT_TYPE, "application/x-www-form-urlencoded"))
            .to_http_request();
        assert!(matches!(parse_json::<Body>(&req, b"pin=1"), Err(AppError::UnsupportedMediaType(_))));
    }
}

//! The recovery codes block of a done page: the codes once, and a way to keep them that needs no
//! JavaScript (a text file to download, made in the page itself; the page prints cleanly).
use super::Chrome;
use crate::text::Phrase;
use maud::{html, Markup};
use zeroize::Zeroizing;

pub fn recovery_codes(chrome: &Chrome<'_>, codes: &[Zeroizing<String>]) -> Markup {
    let w = chrome.words();
    let mut file =
        Zeroizing::new(format!("{}\n{}\n\n", chrome.cloud_name, w.phrase(Phrase::RecoveryCodesFileTitle)));
    for code in codes {
        file.push_str(code);
        file.push('\n');
    }
    let href = Zeroizing::new(format!("data:text/plain;charset=utf-8,{}", percent_encode(&file)));
    html! {
        section.recovery-codes aria-labelledby="recovery-codes-heading" {
            h2 #recovery-codes-heading { (w.phrase(Phrase::RecoveryCodesHeading)) }
            p { (w.phrase(Phrase::RecoveryCodesIntro)) }
            ol.codes {
                @for code in codes {
                    li { code { (code.as_str()) } }
                }
            }
            p { (w.phrase(Phrase::RecoveryCodesKeep)) }
            p { a href=(href.as_str()) download="recovery-codes.txt" { (w.phrase(Phrase::RecoveryCodesDownload)) } }
        }
    }
}

/// RFC 3986 percent-encoding of everything but unreserved characters, for a `data:` URL.
pub(super) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_download_holds_every_code_and_decodes_to_the_same_text() {
        assert_eq!(percent_encode("a b\n가-1"), "a%20b%0A%EA%B0%80-1");
        let chrome = Chrome { cloud_name: "Test Cloud", locale: crate::domain::Locale::En, switch: &[] };
        let codes = [Zeroizing::new("abcde-fghjk".to_owned()), Zeroizing::new("mnpqr-stuvw".to_owned())];
        let page = recovery_codes(&chrome, &codes).into_string();
        assert!(page.contains("<code>abcde-fghjk</code>") && page.contains("mnpqr-stuvw%0A"), "{page}");
        assert!(page.contains(r#"download="recovery-codes.txt""#));
    }
}

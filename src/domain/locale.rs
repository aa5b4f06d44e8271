//! The languages a user's pages and mail speak, and how one is chosen from a browser's wishes.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    En,
    Ko,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ko];

    /// The BCP 47 tag, as in `<html lang>`, the admin's `"locale"` and `?lang=`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ko => "ko",
        }
    }

    /// The language's name in itself, for the link that switches to it.
    pub fn own_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Ko => "한국어",
        }
    }

    /// An exact tag (`en`, `ko`, any case); regional variants (`ko-KR`) are accepted too.
    pub fn parse(text: &str) -> Option<Locale> {
        let primary = text.trim().split(['-', '_']).next().unwrap_or("");
        Locale::ALL.into_iter().find(|locale| primary.eq_ignore_ascii_case(locale.tag()))
    }

    /// The tags setpass speaks, for an error message: "en, ko".
    pub fn supported() -> String {
        Locale::ALL.map(Locale::tag).join(", ")
    }

    /// The supported language a browser likes best (`Accept-Language`, with q-values); `None`
    /// when it names none of them. Ties keep the browser's order.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(Locale, f32)> = None;
        for item in header.split(',').take(32) {
            let mut parts = item.split(';');
            let Some(locale) = parts.next().and_then(Locale::parse) else { continue };
            let quality = match parts.find_map(|param| {
                let (key, value) = param.split_once('=')?;
                key.trim().eq_ignore_ascii_case("q").then(|| value.trim().parse::<f32>().ok())
            }) {
                None => 1.0,
                Some(Some(q)) => q,
                // A q-value that does not parse: the item is not understood.
                Some(None) => continue,
            };
            if !(quality > 0.0 && quality <= 1.0) {
                continue;
            }
            if best.is_none_or(|(_, q)| quality > q) {
                best = Some((locale, quality));
            }
        }
        best.map(|(locale, _)| locale)
    }
}

#[cfg(test)]
mod tests {
    use super::Locale;

    #[test]
    fn a_browser_gets_the_supported_language_it_likes_best() {
        let pick = Locale::from_accept_language;
        assert_eq!(pick("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"), Some(Locale::Ko));
        assert_eq!(pick("en-US,en;q=0.9,ko;q=0.8"), Some(Locale::En));
        assert_eq!(pick("fr-FR, ko;q=0.5, en;q=0.6"), Some(Locale::En));
        assert_eq!(pick("en;q=0.2, ko"), Some(Locale::Ko));
        assert_eq!(pick("fr, de;q=0.9"), None);
        assert_eq!(pick("ko;q=0, en;q=0.1"), Some(Locale::En));
        assert_eq!(pick("ko;q=abc"), None);
        assert_eq!(pick(""), None);
        assert_eq!(pick("*"), None);
    }

    #[test]
    fn a_tag_is_read_in_any_case_and_with_a_region() {
        assert_eq!(Locale::parse("KO"), Some(Locale::Ko));
        assert_eq!(Locale::parse("en-GB"), Some(Locale::En));
        assert_eq!(Locale::parse("fr"), None);
        assert_eq!(Locale::parse(""), None);
        assert_eq!(Locale::supported(), "en, ko");
    }
}

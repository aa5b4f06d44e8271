//! Which language a person's page speaks: `?lang=` (the switch link), else the link's own (the
//! admin's choice), else the browser's `Accept-Language`, else `onboarding.default_locale`.
use crate::domain::Locale;
use crate::views::Chrome;
use actix_web::http::header::{HeaderMap, ACCEPT_LANGUAGE};

/// The request parts the choice reads (the same for a handler and a middleware).
pub struct Asked<'a> {
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
}

impl<'a> Asked<'a> {
    pub fn of(req: &'a actix_web::HttpRequest) -> Self {
        Self { path: req.path(), query: req.query_string(), headers: req.headers() }
    }

    /// `?lang=` when it names a language setpass speaks.
    fn query_lang(&self) -> Option<Locale> {
        self.query.split('&').find_map(|pair| pair.strip_prefix("lang=")).and_then(Locale::parse)
    }

    fn browser(&self) -> Option<Locale> {
        let header = self.headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?;
        Locale::from_accept_language(header)
    }

    pub fn choose(&self, link: Option<Locale>, default: Locale) -> Locale {
        self.query_lang().or(link).or_else(|| self.browser()).unwrap_or(default)
    }

    /// This page in each other language: the same address with `lang=` set, so the form that
    /// follows keeps it.
    pub fn switch(&self, current: Locale) -> Vec<(Locale, String)> {
        let kept: Vec<&str> =
            self.query.split('&').filter(|pair| !pair.is_empty() && !pair.starts_with("lang=")).collect();
        Locale::ALL
            .into_iter()
            .filter(|other| *other != current)
            .map(|other| {
                let mut query = kept.clone();
                let lang = format!("lang={}", other.tag());
                query.push(&lang);
                (other, format!("{}?{}", self.path, query.join("&")))
            })
            .collect()
    }
}

/// The page's language and its switch links, for a view's `Chrome`.
pub struct PageLanguage {
    pub locale: Locale,
    pub switch: Vec<(Locale, String)>,
}

impl PageLanguage {
    pub fn new(asked: &Asked<'_>, link: Option<Locale>, default: Locale) -> Self {
        let locale = asked.choose(link, default);
        Self { locale, switch: asked.switch(locale) }
    }

    pub fn chrome<'a>(&'a self, cloud_name: &'a str) -> Chrome<'a> {
        Chrome { cloud_name, locale: self.locale, switch: &self.switch }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn asked<'a>(query: &'a str, headers: &'a HeaderMap) -> Asked<'a> {
        Asked { path: "/", query, headers }
    }

    #[test]
    fn the_switch_link_wins_then_the_link_then_the_browser_then_the_default() {
        let mut korean = HeaderMap::new();
        korean.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("ko-KR,ko;q=0.9"));
        let none = HeaderMap::new();
        assert_eq!(asked("token=t&lang=en", &korean).choose(Some(Locale::Ko), Locale::Ko), Locale::En);
        assert_eq!(asked("token=t", &none).choose(Some(Locale::Ko), Locale::En), Locale::Ko);
        assert_eq!(asked("token=t", &korean).choose(None, Locale::En), Locale::Ko);
        assert_eq!(asked("token=t&lang=fr", &none).choose(None, Locale::Ko), Locale::Ko);
    }

    #[test]
    fn the_switch_link_keeps_the_token_and_replaces_the_language() {
        let none = HeaderMap::new();
        let links = asked("token=abc&lang=en", &none).switch(Locale::En);
        assert_eq!(links, vec![(Locale::Ko, "/?token=abc&lang=ko".to_owned())]);
        assert_eq!(asked("", &none).switch(Locale::Ko), vec![(Locale::En, "/?lang=en".to_owned())]);
    }
}

//! Message templates: text with `{{placeholder}}`s from a fixed list, checked once at startup.

/// A parsed template: literal text and the placeholders between it.
#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Value(&'static str),
}

/// Why a template was refused; the message names the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct TemplateError {
    pub line: usize,
    pub message: String,
}

impl Template {
    /// Accepts `{{name}}` (spaces inside the braces allowed) for each name in `known`.
    pub fn parse(text: &str, known: &[&'static str]) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let line = line_of(text, text.len() - rest.len() + start);
            let error = |message: String| TemplateError { line, message };
            parts.push(Part::Text(rest[..start].to_owned()));
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or_else(|| error("`{{` is not closed with `}}`".into()))?;
            let name = after[..end].trim();
            let known_name = known.iter().copied().find(|k| *k == name).ok_or_else(|| {
                error(format!("unknown placeholder `{{{{{name}}}}}`; known: {}", list(known)))
            })?;
            parts.push(Part::Value(known_name));
            rest = &after[end + 2..];
        }
        if let Some(stray) = rest.find("}}") {
            let line = line_of(text, text.len() - rest.len() + stray);
            return Err(TemplateError { line, message: "`}}` without an opening `{{`".into() });
        }
        parts.push(Part::Text(rest.to_owned()));
        Ok(Self { parts })
    }

    /// Fills in each placeholder; `escape` is applied to the values only (for HTML).
    pub fn render(&self, value: impl Fn(&str) -> String, escape: Escape) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Value(name) => match escape {
                    Escape::None => out.push_str(&value(name)),
                    Escape::Html => out.push_str(&html_escape(&value(name))),
                },
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    None,
    Html,
}

/// The 1-based line of byte `at`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

fn list(known: &[&str]) -> String {
    known.iter().map(|k| format!("{{{{{k}}}}}")).collect::<Vec<_>>().join(", ")
}

pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A duration as people say it: "24 hours", "7 days", "1 day and 12 hours", "30 minutes".
pub fn in_words(seconds: u64) -> String {
    crate::text::words(crate::domain::Locale::En).in_words(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["user_name", "link"];

    fn values(name: &str) -> String {
        match name {
            "user_name" => "Ada <script>".into(),
            _ => "https://x.example/?token=a&b".into(),
        }
    }

    #[test]
    fn placeholders_are_filled_in_with_or_without_spaces() {
        let template = Template::parse("Hi {{user_name}}, open {{ link }}.", KNOWN).unwrap();
        assert_eq!(
            template.render(values, Escape::None),
            "Hi Ada <script>, open https://x.example/?token=a&b."
        );
    }

    #[test]
    fn html_templates_escape_the_values_but_not_the_markup() {
        let template = Template::parse("<p>{{user_name}}</p><a href=\"{{link}}\">", KNOWN).unwrap();
        assert_eq!(
            template.render(values, Escape::Html),
            "<p>Ada &lt;script&gt;</p><a href=\"https://x.example/?token=a&amp;b\">"
        );
    }

    #[test]
    fn an_unknown_placeholder_is_refused_with_its_line_and_the_known_ones() {
        let err = Template::parse("Hello\n{{user}}\n", KNOWN).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("`{{user}}`") && err.message.contains("{{user_name}}"), "{err}");
    }

    #[test]
    fn unbalanced_braces_are_refused() {
        assert!(Template::parse("Hi {{user_name", KNOWN).unwrap_err().message.contains("not closed"));
        assert!(Template::parse("Hi user_name}}", KNOWN).unwrap_err().message.contains("without"));
    }
}

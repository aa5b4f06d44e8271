//! The otpauth URI as an inline SVG QR code.
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// `None` only if the text is too long for a QR code, which an otpauth URI never is.
pub fn qr_svg(text: &str, label: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Drop the XML prolog so it can sit inside HTML, and let CSS size it.
    let start = svg.find("<svg").unwrap_or(0);
    let label = maud::html! { (label) }.into_string();
    Some(svg[start..].replacen("<svg", &format!("<svg class=\"qr\" role=\"img\" aria-label=\"{label}\""), 1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_otpauth_uri_renders_as_inline_svg() {
        let svg = super::qr_svg("otpauth://totp/Cloud:alice?secret=ABC&issuer=Cloud", "QR").unwrap();
        assert!(svg.starts_with("<svg class=\"qr\""));
        assert!(svg.contains("<path") || svg.contains("<rect"));
    }
}

//! QR codes for tickets: PNG for emails (an inline `cid:` image), SVG for pages. Medium error
//! correction survives a cracked phone screen at the door; the quiet zone is kept, as scanners
//! need it.

use std::io::Cursor;

use anyhow::Context;
use image::{ImageFormat, Luma};
use qrcode::{EcLevel, QrCode, render::svg};

fn code(content: &str) -> anyhow::Result<QrCode> {
    QrCode::with_error_correction_level(content.as_bytes(), EcLevel::M)
        .context("the content is too long for a QR code")
}

/// A PNG of at least `min_pixels` square.
pub fn png(content: &str, min_pixels: u32) -> anyhow::Result<Vec<u8>> {
    let image = code(content)?.render::<Luma<u8>>().min_dimensions(min_pixels, min_pixels).build();
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).context("encoding the QR code as PNG")?;
    Ok(out.into_inner())
}

/// An SVG that scales with the page.
pub fn svg(content: &str) -> anyhow::Result<String> {
    Ok(code(content)?
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png_bytes: &[u8]) -> String {
        let image = image::load_from_memory_with_format(png_bytes, ImageFormat::Png).unwrap().to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the image");
        grids[0].decode().unwrap().1
    }

    #[test]
    fn a_ticket_url_survives_the_round_trip() {
        let url = "https://tsudoi.example.jp/t/AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJQ";
        let png = png(url, 300).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        assert_eq!(decode(&png), url);
    }

    #[test]
    fn svg_is_a_scalable_drawing() {
        let drawing = svg("https://tsudoi.example.jp/t/abc").unwrap();
        assert!(drawing.starts_with("<?xml") && drawing.contains("<svg"), "{}", &drawing[..80]);
    }

    #[test]
    fn overlong_content_is_an_error_not_a_panic() {
        assert!(png(&"x".repeat(5000), 100).is_err());
    }
}

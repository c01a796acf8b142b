//! QR codes for tickets: PNG for emails (an inline `cid:` image), SVG for pages. Medium error
//! correction survives a cracked phone screen at the door; the quiet zone is kept, as scanners
//! need it.

use std::io::Cursor;

use anyhow::Context;

use crate::error::ValidationErrors;
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

/// The largest camera frame read: 1280 pixels a side, a mebibyte of grayscale in all (a
/// scanner page sends 640×480).
pub const FRAME_SIDE_MAX: u32 = 1280;
pub const FRAME_BYTES_MAX: usize = 1024 * 1024;

/// The text of the first QR code in a camera frame (8-bit grayscale, row by row), if one can be
/// read. The frame's size is checked before any decoding.
pub fn read(width: u32, height: u32, gray: &[u8]) -> crate::error::Result<Option<String>> {
    let mut errors = ValidationErrors::new();
    for (field, side) in [("width", width), ("height", height)] {
        if !(16..=FRAME_SIDE_MAX).contains(&side) {
            errors.add(field, "out_of_range", format!("must be 16 to {FRAME_SIDE_MAX} pixels"));
        }
    }
    let pixels = usize::try_from(u64::from(width) * u64::from(height)).unwrap_or(usize::MAX);
    if errors.is_empty() && (pixels > FRAME_BYTES_MAX || gray.len() != pixels) {
        errors.add("frame", "wrong_size", format!("must be width × height = {pixels} bytes of grayscale"));
    }
    errors.into_result()?;
    let (w, h) = (width as usize, height as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| gray[y * w + x]);
    Ok(prepared.detect_grids().into_iter().find_map(|grid| grid.decode().ok().map(|(_, text)| text)))
}

/// A camera frame (8-bit grayscale, `width`×`height`) showing `content`'s QR code in the middle,
/// on a grey background: what a phone held up to a ticket sees, for tests and benchmarks.
pub fn frame(content: &str, width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let side = width.min(height) * 3 / 4;
    let code = code(content)?.render::<Luma<u8>>().max_dimensions(side, side).build();
    let (left, top) = ((width - code.width()) / 2, (height - code.height()) / 2);
    let mut gray = vec![170_u8; (width * height) as usize];
    for (x, y, pixel) in code.enumerate_pixels() {
        gray[((top + y) * width + left + x) as usize] = pixel.0[0];
    }
    Ok(gray)
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
    fn a_camera_frame_is_read_and_bounded() {
        let url = "https://tsudoi.example.jp/t/AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJQ";
        let gray = frame(url, 640, 480).unwrap();
        assert_eq!(read(640, 480, &gray).unwrap().as_deref(), Some(url));
        assert_eq!(read(640, 480, &vec![200; 640 * 480]).unwrap(), None, "no code in a blank frame");
        let fields = |e: crate::error::Error| match e {
            crate::error::Error::Invalid(errors) => {
                errors.fields().iter().map(|f| f.field.clone()).collect::<Vec<_>>()
            }
            other => panic!("{other}"),
        };
        assert_eq!(fields(read(640, 480, &gray[..1000]).unwrap_err()), ["frame"]);
        assert_eq!(fields(read(4000, 10, &[]).unwrap_err()), ["width", "height"]);
        assert_eq!(fields(read(1280, 1280, &[]).unwrap_err()), ["frame"], "more pixels than allowed");
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

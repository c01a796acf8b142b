//! Page language: `?lang=ja|en` when given (and then remembered in a cookie), else the
//! `tsudoi_lang` cookie, else the browser's `Accept-Language`, else Japanese.

use poem::Request;
use tsudoi_domain::values::Language;

pub const COOKIE: &str = "tsudoi_lang";

/// The language for this request, and whether it came from the `lang` parameter (so the
/// answer should set the cookie).
pub fn language_of(req: &Request) -> (Language, bool) {
    if let Some(chosen) = chosen_language(req) {
        return chosen;
    }
    let accept =
        req.headers().get(poem::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    (from_accept_language(accept), false)
}

/// The language the visitor chose (the `lang` parameter, or the cookie it left), if any; the
/// flag says whether it came from the parameter.
pub fn chosen_language(req: &Request) -> Option<(Language, bool)> {
    let param = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Language::parse(&v).ok())
    });
    if let Some(language) = param {
        return Some((language, true));
    }
    let cookie =
        req.headers().get_all(poem::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(
            |v| {
                v.split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(k, _)| *k == COOKIE)
                    .and_then(|(_, v)| Language::parse(v).ok())
            },
        );
    cookie.map(|language| (language, false))
}

/// The first of ja or en the browser asks for, by quality.
fn from_accept_language(header: &str) -> Language {
    let mut best: Option<(f32, Language)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = pieces
            .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
            .unwrap_or(1.0);
        let language = match tag.split('-').next() {
            Some("ja") => Language::Ja,
            Some("en") => Language::En,
            _ => continue,
        };
        if best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, language));
        }
    }
    best.map_or(Language::Ja, |(_, language)| language)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_preference_picks_the_language() {
        assert_eq!(from_accept_language("en-US,en;q=0.9,ja;q=0.8"), Language::En);
        assert_eq!(from_accept_language("ja,en-US;q=0.9"), Language::Ja);
        assert_eq!(from_accept_language("fr-FR,en;q=0.5,ja;q=0.7"), Language::Ja);
        assert_eq!(from_accept_language("de"), Language::Ja, "Japanese by default");
        assert_eq!(from_accept_language(""), Language::Ja);
    }

    #[test]
    fn the_switch_beats_the_cookie_which_beats_the_browser() {
        let req = Request::builder()
            .uri("/e/x?lang=en".parse().unwrap())
            .header("cookie", "tsudoi_lang=ja")
            .header("accept-language", "ja")
            .finish();
        assert_eq!(language_of(&req), (Language::En, true));
        let req = Request::builder()
            .header("cookie", "a=b; tsudoi_lang=en")
            .header("accept-language", "ja")
            .finish();
        assert_eq!(language_of(&req), (Language::En, false));
    }
}

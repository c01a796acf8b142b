//! Operational endpoints (`/healthz`, `/readyz`, `/metrics`) and the middleware every request
//! passes through: request id, tracing span, metrics, and problem documents for errors.

use std::{sync::Arc, time::Instant};

use poem::{
    Body, Endpoint, IntoResponse, Request, Response, handler,
    http::{HeaderValue, Method, StatusCode, header},
    web::Data,
};
use tracing::Instrument;
use tsudoi_migration::{Migrator, MigratorTrait};

use crate::{cache::PublicCache, metrics::Metrics, problem, state::AppState};

pub const REQUEST_ID: &str = "x-request-id";

#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers and every migration has been applied.
#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    let check = async {
        state.db.ping().await?;
        let pending = Migrator::get_pending_migrations_read_only(state.db.reader()).await?;
        anyhow::ensure!(pending.is_empty(), "{} migrations pending", pending.len());
        anyhow::Ok(())
    };
    match check.await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {err}")).into_response()
        }
    }
}

#[handler]
pub fn metrics(state: Data<&AppState>) -> Response {
    Response::builder()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render())
}

/// A request id from the caller when it looks like one, else a fresh one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map_or_else(|| uuid::Uuid::now_v7().simple().to_string(), str::to_owned)
}

/// Paths of attendee links carry secrets; only API and operational paths are logged whole.
fn loggable_path(path: &str) -> &str {
    if path.starts_with("/api/") || matches!(path, "/healthz" | "/readyz" | "/metrics") {
        return path;
    }
    // Keep the first segment with its slash: `/r/secret` logs as `/r/`.
    match path.get(1..).and_then(|rest| rest.find('/')) {
        Some(i) => &path[..i + 2],
        None => path,
    }
}

/// Whether the client reached us over HTTPS (directly, or through a trusted proxy).
fn is_https(req: &Request, trust_proxy: bool) -> bool {
    if req.scheme() == &poem::http::uri::Scheme::HTTPS {
        return true;
    }
    trust_proxy
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').next().is_some_and(|p| p.trim().eq_ignore_ascii_case("https")))
}

/// The API's path templates and their methods, read from the OpenAPI document, so that a 405
/// can say which methods a path does allow (`Allow`).
#[derive(Debug, Default)]
pub struct Routes(Vec<(Vec<String>, String)>);

impl Routes {
    /// `prefix` is where the document's paths are mounted (`/api`).
    pub fn from_openapi(spec: &str, prefix: &str) -> Routes {
        let spec: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        let mut routes = Vec::new();
        for (path, operations) in spec["paths"].as_object().into_iter().flatten() {
            let segments = format!("{prefix}{path}").split('/').map(str::to_owned).collect();
            let mut methods: Vec<String> =
                operations.as_object().into_iter().flatten().map(|(m, _)| m.to_uppercase()).collect();
            methods.sort();
            routes.push((segments, methods.join(", ")));
        }
        Routes(routes)
    }

    pub fn allowed(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(template, _)| {
                template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
            })
            .map(|(_, methods)| methods.as_str())
    }
}

/// Calls the application and turns errors that escaped it into problem documents.
async fn answer<E: Endpoint>(next: Arc<E>, observer: &Observer, req: Request, path: &str) -> Response {
    match next.call(req).await {
        Ok(resp) => resp.into_response(),
        Err(err) if err.is_from_response() => err.into_response(),
        Err(err) => {
            let problem = problem::problem_of_request_error(&err);
            if problem.status >= 500 {
                tracing::error!(error = %err, "request failed");
            }
            if !path.starts_with("/api/") {
                let status =
                    StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                return (status, problem.title).into_response();
            }
            let mut resp = problem::response_of(&problem);
            if problem.status == 405
                && let Some(allow) = observer.routes.allowed(path)
                && let Ok(value) = HeaderValue::from_str(allow)
            {
                resp.headers_mut().insert(header::ALLOW, value);
            }
            resp
        }
    }
}

/// Stores a public answer in the cache and hands it on.
async fn keep(cache: &PublicCache, key: String, generation: u64, resp: Response) -> Response {
    let (parts, body) = resp.into_parts();
    match body.into_bytes().await {
        Ok(bytes) => {
            // An answer that sets a cookie is for one visitor only.
            if !parts.headers.contains_key(header::SET_COOKIE) {
                cache.put(key, generation, parts.headers.clone(), bytes.clone());
            }
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(err) => {
            tracing::error!(error = %err, "reading an answer to cache it");
            problem::response_of(&problem::problem_of_status(StatusCode::INTERNAL_SERVER_ERROR, None))
        }
    }
}

/// Token-free answers, the ones worth caching.
const PUBLIC_API: &str = "/api/v1/public/";

/// The cache key for an answer anyone may be given, or `None`. Pages differ by language, so
/// theirs holds it; a request switching the language sets a cookie and is never cached.
fn cache_key(req: &Request, method: &Method, path: &str, cache: &PublicCache) -> Option<String> {
    if *method != Method::GET || !cache.enabled() || req.headers().contains_key(header::AUTHORIZATION) {
        return None;
    }
    let full = req.uri().path_and_query().map_or(path, |pq| pq.as_str());
    if path.starts_with(PUBLIC_API) {
        return Some(full.to_owned());
    }
    // Only the two public pages, by their exact shape (`/n/{slug}`, `/e/{slug}`): a page added
    // later under these prefixes is not cached unless it is named here.
    let segments: Vec<&str> = path.split('/').collect();
    let page = matches!(segments.as_slice(), ["", "n" | "e", slug] if !slug.is_empty());
    // A language switch sets a cookie; an invitation's link fills the form with one person's
    // name and address.
    if !page || req.uri().query().is_some_and(|q| q.contains("lang=") || q.contains("invite=")) {
        return None;
    }
    let (language, _) = crate::pages::language_of(req);
    Some(format!("{}:{full}", language.code()))
}

/// What the middleware needs besides the request.
pub struct Observer {
    pub cache: Arc<PublicCache>,
    pub metrics: Arc<Metrics>,
    pub routes: Routes,
    pub trust_proxy: bool,
}

/// Wraps the whole application.
pub async fn observe<E: Endpoint>(next: Arc<E>, observer: Arc<Observer>, req: Request) -> Response {
    let trust_proxy = observer.trust_proxy;
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let https = is_https(&req, trust_proxy);
    let span = tracing::info_span!("request", id = %id, method = %method, path = %loggable_path(&path));
    let key = cache_key(&req, &method, &path, &observer.cache);
    let mut resp = async {
        if let Some(hit) = key.as_deref().and_then(|key| observer.cache.get(key)) {
            return hit;
        }
        let generation = observer.cache.generation();
        let resp = answer(next, &observer, req, &path).await;
        tracing::debug!(
            status = resp.status().as_u16(),
            elapsed_us = started.elapsed().as_micros() as u64,
            "answered"
        );
        match key {
            Some(key) if resp.status() == StatusCode::OK => {
                keep(&observer.cache, key, generation, resp).await
            }
            _ => resp,
        }
    }
    .instrument(span)
    .await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID, value);
    }
    if https {
        resp.headers_mut()
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    resp.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Only a write that went through changes anything; refused ones (an attacker's stream of
    // 401s) must not keep emptying the cache.
    let done = resp.status().is_success() || resp.status().is_redirection();
    if !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) && done {
        observer.cache.invalidate();
    }
    observer.metrics.observe(&method, resp.status().as_u16(), started.elapsed().as_secs_f64());
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_say_which_methods_a_path_allows() {
        let spec = r#"{"paths": {"/v1/events/{id}": {"get": {}, "patch": {}}, "/v1/me": {"get": {}}}}"#;
        let routes = Routes::from_openapi(spec, "/api");
        assert_eq!(routes.allowed("/api/v1/events/123"), Some("GET, PATCH"));
        assert_eq!(routes.allowed("/api/v1/me"), Some("GET"));
        assert_eq!(routes.allowed("/api/v1/events/"), None);
        assert_eq!(routes.allowed("/api/v1/nothing"), None);
    }

    #[test]
    fn secrets_in_paths_stay_out_of_logs() {
        assert_eq!(loggable_path("/api/v1/events/123"), "/api/v1/events/123");
        assert_eq!(loggable_path("/r/secret-token"), "/r/");
        assert_eq!(loggable_path("/healthz"), "/healthz");
        assert_eq!(loggable_path("/"), "/");
    }

    #[test]
    fn forwarded_proto_counts_only_behind_a_trusted_proxy() {
        let req = Request::builder().header("x-forwarded-proto", "https").finish();
        assert!(is_https(&req, true));
        assert!(!is_https(&req, false));
    }

    #[test]
    fn request_ids_from_callers_are_kept_only_when_harmless() {
        let req = Request::builder().header(REQUEST_ID, "abc-123").finish();
        assert_eq!(request_id(&req), "abc-123");
        let req = Request::builder().header(REQUEST_ID, "a b\nc").finish();
        assert_ne!(request_id(&req), "a b\nc");
    }
}

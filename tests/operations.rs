//! Health, readiness, metrics, request ids, and the OpenAPI document.

use std::path::PathBuf;

use serde_json::Value;

use super::*;

fn checked_in_openapi() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crates/http/openapi.json")
}

e2e! {
    async fn health_and_readiness_answer(app: TestApp) {
        let health = app.get_public("/healthz").await;
        assert_eq!(health.status, 200);
        assert_eq!(health.text, "ok");
        let ready = app.get_public("/readyz").await;
        assert_eq!(ready.status, 200, "{}", ready.text);
    }

    async fn every_response_carries_a_request_id_and_callers_may_choose_it(app: TestApp) {
        let reply = app.get_public("/healthz").await;
        let generated = reply.headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(generated.len() >= 16, "generated id: {generated:?}");
        let chosen = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", "trace-42")
            .send()
            .await
            .expect("sent");
        assert_eq!(chosen.headers()["x-request-id"], "trace-42");
    }

    async fn metrics_count_requests_in_prometheus_format(app: TestApp) {
        app.get_public("/healthz").await;
        app.get("/api/v1/me").await.expect(200);
        let metrics = app.get_public("/metrics").await;
        assert_eq!(metrics.status, 200);
        assert!(metrics.text.contains("# TYPE tsudoi_http_requests counter"), "{}", metrics.text);
        assert!(metrics.text.contains(r#"tsudoi_http_requests_total{method="Get",status="200"}"#), "{}", metrics.text);
        assert!(metrics.text.contains("tsudoi_http_request_duration_seconds_bucket"), "{}", metrics.text);
    }

    async fn the_served_openapi_document_is_the_one_checked_in(app: TestApp) {
        let served = app.get_public("/api/openapi.json").await.expect(200);
        let path = checked_in_openapi();
        if std::env::var("TSUDOI_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
            let pretty = serde_json::to_string_pretty(&served).expect("json") + "\n";
            std::fs::write(&path, pretty).expect("writing openapi.json");
        }
        let checked_in: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("crates/http/openapi.json"))
            .expect("valid JSON");
        assert!(
            served == checked_in,
            "the API changed: review it, then run `TSUDOI_UPDATE_OPENAPI=1 cargo test -p tsudoi-tests openapi` to update crates/http/openapi.json"
        );
    }

    async fn swagger_ui_is_served(app: TestApp) {
        let docs = app.get_public("/api/docs/").await;
        assert_eq!(docs.status, 200);
        assert!(docs.text.contains("swagger"), "{}", &docs.text[..docs.text.len().min(300)]);
    }

    async fn unknown_api_paths_get_a_problem_document(app: TestApp) {
        app.get("/api/v1/nothing-here").await.expect_problem(404, "not_found");
        let wrong_method = app.send(reqwest::Method::PUT, "/api/v1/me", Some(&app.token), None).await;
        wrong_method.expect_problem(405, "method_not_allowed");
        assert_eq!(wrong_method.headers["allow"], "GET");
        let event = app.send(reqwest::Method::PUT, &format!("/api/v1/events/{}", uuid::Uuid::now_v7()), Some(&app.token), None).await;
        assert_eq!(event.headers["allow"], "GET, PATCH");
    }
}

//! Two people at once: the database, not luck, decides (unique indexes and row locks on
//! PostgreSQL, the single writer on SQLite), and the loser gets a clear answer, never a 500.

use futures::future::join_all;
use serde_json::json;

use super::*;

e2e! {
    async fn editions_created_at_once_get_one_number_each(app: TestApp) {
        let series = app.post("/api/v1/networks/tokyo/series", json!({"slug": "crossing", "name": "Crossing"})).await.expect(201);
        let creates = (0..6).map(|_| app.create_event(json!({"series_id": series["id"]})));
        let replies = join_all(creates).await;
        let mut editions: Vec<i64> = replies
            .iter()
            .map(|reply| {
                assert_eq!(reply.status, 201, "{}", reply.text);
                reply.body["edition"].as_i64().expect("edition")
            })
            .collect();
        editions.sort();
        assert_eq!(editions, vec![1, 2, 3, 4, 5, 6]);
    }
}

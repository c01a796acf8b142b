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

/// Two transactions that lock two rows in opposite orders: PostgreSQL undoes one of them
/// (a deadlock), and that one is told to try again (409), not given a 500. The door's batches
/// answer such a conflict by going through their scans one at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_postgresql_undoes_for_another_is_told_to_try_again() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    use tsudoi_domain::error::{Conflict, Error};

    let Some(app) = helpers::try_spawn_app(helpers::Engine::Postgres).await else {
        eprintln!("skipped: set TSUDOI_TEST_POSTGRES_URL to run on PostgreSQL");
        return;
    };
    app.other_network("osaka").await;
    let touch = |slug: &str| format!("UPDATE networks SET name = name WHERE slug = '{slug}'");
    let (first, second) = (app.db.writer().begin().await.unwrap(), app.db.writer().begin().await.unwrap());
    first.execute_unprepared(&touch("tokyo")).await.unwrap();
    second.execute_unprepared(&touch("osaka")).await.unwrap();
    let (to_osaka, to_tokyo) = (touch("osaka"), touch("tokyo"));
    let (a, b) = tokio::join!(first.execute_unprepared(&to_osaka), second.execute_unprepared(&to_tokyo));
    let undone: Vec<Error> = [a, b].into_iter().filter_map(Result::err).map(Error::from).collect();
    assert_eq!(undone.len(), 1, "{undone:?}");
    assert!(matches!(undone[0], Error::Conflict(Conflict::Concurrent)), "{undone:?}");
}

//! The hot reads' connections (`Store::reader`) go back to their pool on PostgreSQL without the
//! round trip sqlx's pools spend pinging each one (issue 31, item 5). Without that ping, a
//! connection must still be fit for the next read after a read abandoned halfway (a request
//! whose client went away), and one whose server process ended must not be handed out again.

use carekeep_store::Backend;
use carekeep_testkit::TestApp;
use futures_util::StreamExt;
use std::time::Duration;

async fn backend_pid(store: &carekeep_store::Store) -> i32 {
    let mut reader = store.reader();
    sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(reader.conn().await.unwrap())
        .await
        .unwrap()
}

async fn answer(store: &carekeep_store::Store) -> i64 {
    let mut reader = store.reader();
    sqlx::query_scalar("SELECT CAST(42 AS BIGINT)")
        .fetch_one(reader.conn().await.unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_readers_connection_is_fit_for_the_next_read_after_one_abandoned_halfway() {
    let app = TestApp::spawn().await;
    let store = app.state.app.store_for_tests();
    let postgres = app.backend() == Backend::Postgres;
    let first = match postgres {
        true => Some(backend_pid(store).await),
        false => None,
    };
    // A read that stops waiting before its answer comes (its future dropped mid-read), and one
    // that takes one row of many and stops.
    let slow = match postgres {
        true => "SELECT CAST(pg_sleep(0.4) AS TEXT) AS x",
        false => {
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) FROM c"
        }
    };
    {
        let mut reader = store.reader();
        let conn = reader.conn().await.unwrap();
        let waited = tokio::time::timeout(Duration::from_millis(20), sqlx::query(slow).fetch_all(conn)).await;
        assert!(waited.is_err(), "the slow read was meant to be abandoned");
    }
    assert_eq!(answer(store).await, 42, "the next read after an abandoned one");
    {
        let mut reader = store.reader();
        let conn = reader.conn().await.unwrap();
        let many = match postgres {
            true => "SELECT CAST(g AS BIGINT) FROM generate_series(1, 200000) g",
            false => "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT x FROM c",
        };
        let mut rows = sqlx::query_scalar::<_, i64>(many).fetch(conn);
        assert_eq!(rows.next().await.unwrap().unwrap(), 1);
    }
    assert_eq!(
        answer(store).await,
        42,
        "the next read after one that stopped after a row"
    );

    let Some(first) = first else { return };
    // Given back, not closed: the same server process answered every read.
    assert_eq!(backend_pid(store).await, first, "the connection was reused");

    // The server ends that process: the read that meets it fails, and its connection is not
    // handed out again.
    let mut admin = store.read().await.unwrap();
    let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(first)
        .fetch_one(&mut *admin)
        .await
        .unwrap();
    assert!(ended);
    drop(admin);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let failed = store.reader().live_with_user("no such token").await;
    assert!(failed.is_err(), "a read on an ended connection fails");
    let next = backend_pid(store).await;
    assert_ne!(next, first, "the ended connection was handed out again");
    assert_eq!(answer(store).await, 42);
}

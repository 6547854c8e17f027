//! The hot reads' connections (`Store::reader`) go back to their pool on PostgreSQL without the
//! round trip sqlx's pools spend pinging each one, when their reads ran to their end (issue 31,
//! item 5). A connection left by a read abandoned halfway (a request whose client went away)
//! must still never hand the next read what the abandoned one had coming, an error included,
//! and one whose server process ended must not be handed out again.

use carekeep_store::{Backend, Store};
use carekeep_testkit::TestApp;
use futures_util::StreamExt;
use std::time::Duration;

/// One number read through `Reader::conn`. Such a connection goes back dirty and is pinged on
/// the side: the wait lets it get back before the next step.
async fn number(store: &Store, sql: &str) -> i64 {
    let n = {
        let mut reader = store.reader();
        sqlx::query_scalar(sql)
            .fetch_one(reader.conn().await.unwrap())
            .await
            .unwrap()
    };
    settle(store).await;
    n
}

/// Waits (up to 20 s, for a loaded machine) until every connection is back in the pool.
async fn settle(store: &Store) {
    for _ in 0..2000 {
        if store.hot_reads_settled() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the hot reads' connections did not all come back");
}

/// The server process of the connection a reader takes.
async fn backend_pid(store: &Store) -> i64 {
    number(store, "SELECT CAST(pg_backend_pid() AS BIGINT)").await
}

/// A read's own answer.
async fn answer(store: &Store) -> i64 {
    number(store, "SELECT CAST(42 AS BIGINT)").await
}

/// A read through the reader's own statements: it leaves the connection clean.
async fn clean_read(store: &Store) {
    let none = store.reader().live_with_user("no such token").await.unwrap();
    assert!(none.is_none());
}

/// Starts `sql` on a reader's connection and stops waiting for it after 20 ms.
async fn abandon(store: &Store, sql: &str) {
    let mut reader = store.reader();
    let conn = reader.conn().await.unwrap();
    let waited = tokio::time::timeout(Duration::from_millis(20), sqlx::query(sql).fetch_all(conn)).await;
    assert!(waited.is_err(), "the read was meant to be abandoned: {sql}");
}

/// Whether the server's process `pid` is (`alive`) or is not there, within 20 s.
async fn settles(store: &Store, pid: i64, alive: bool) -> bool {
    for _ in 0..200 {
        let mut conn = store.read().await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = $1")
            .bind(pid)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        if (n == 1) == alive {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn a_readers_connection_is_fit_for_the_next_read_after_one_abandoned_halfway() {
    let app = TestApp::spawn().await;
    let store = app.state.app.store_for_tests();
    let postgres = app.backend() == Backend::Postgres;

    // A read that stops waiting before its answer comes, one whose answer is an error, and one
    // that takes one row of many and stops; the next read gets its own answer each time.
    let (slow, failing, many) = match postgres {
        true => (
            "SELECT CAST(pg_sleep(0.4) AS TEXT) AS x",
            "SELECT 1 / (length(CAST(pg_sleep(0.4) AS TEXT)) * 0) AS x",
            "SELECT CAST(g AS BIGINT) FROM generate_series(1, 200000) g",
        ),
        false => (
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) FROM c",
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) / 0 FROM c",
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT x FROM c",
        ),
    };
    abandon(store, slow).await;
    assert_eq!(answer(store).await, 42, "the next read after an abandoned one");
    abandon(store, failing).await;
    assert_eq!(
        answer(store).await,
        42,
        "the next read after an abandoned one that failed"
    );
    {
        let mut reader = store.reader();
        let mut rows = sqlx::query_scalar::<_, i64>(many).fetch(reader.conn().await.unwrap());
        assert_eq!(rows.next().await.unwrap().unwrap(), 1);
    }
    assert_eq!(
        answer(store).await,
        42,
        "the next read after one that stopped after a row"
    );
    clean_read(store).await;
    if !postgres {
        return;
    }
    // The abandoned reads' connections are still being cleaned on the side (the slow ones for
    // up to 0.4 s): let them get back, so the pool's order below is only this part's doing.
    settle(store).await;

    // A connection whose reads ran to their end goes back at once, without a round trip: the
    // next reader takes it. (The test's runtime runs one task at a time, and nothing between
    // the two readers lets another run: a connection handed to a task to be pinged would not
    // be back yet, and the second reader would take another.)
    let first = backend_pid(store).await;
    clean_read(store).await;
    assert_eq!(backend_pid(store).await, first, "the connection went back at once");

    // An abandoned read's connection is cleaned on the side, then reused...
    let slow_pid = backend_pid(store).await;
    abandon(store, slow).await;
    settle(store).await;
    assert!(
        settles(store, slow_pid, true).await,
        "a connection whose read was only abandoned was closed"
    );
    assert_eq!(backend_pid(store).await, slow_pid, "cleaned and given back");
    assert_eq!(answer(store).await, 42);
    // ...unless what it had coming was an error: then it is closed.
    let failing_pid = backend_pid(store).await;
    abandon(store, failing).await;
    assert!(
        settles(store, failing_pid, false).await,
        "a connection whose abandoned read failed was kept"
    );

    // The server ends a connection's process: whether the next read meets it (and fails) or the
    // pool's ping finds it first, that connection is not handed out again.
    let ended_pid = backend_pid(store).await;
    let mut admin = store.read().await.unwrap();
    let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend(CAST($1 AS INTEGER))")
        .bind(ended_pid)
        .fetch_one(&mut *admin)
        .await
        .unwrap();
    assert!(ended);
    drop(admin);
    assert!(settles(store, ended_pid, false).await);
    let _maybe_failed = store.reader().live_with_user("no such token").await;
    settle(store).await;
    assert_ne!(
        backend_pid(store).await,
        ended_pid,
        "the ended connection was handed out again"
    );
    assert_eq!(answer(store).await, 42);
}

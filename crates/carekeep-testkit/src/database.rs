//! A fresh database per test: a SQLite file in the test's temp folder, or a new PostgreSQL
//! database on the server named by `CAREKEEP_TEST_DATABASE_URL`.

use sqlx::{AnyConnection, Connection, Executor};
use std::path::Path;

pub const ENV: &str = "CAREKEEP_TEST_DATABASE_URL";

pub struct TestDatabase {
    pub url: String,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create(dir: &Path) -> TestDatabase {
        TestDatabase::create_on(dir, std::env::var(ENV).ok()).await
    }

    /// A new database on the PostgreSQL server `admin` names, or a SQLite file in `dir`.
    pub async fn create_on(dir: &Path, admin: Option<String>) -> TestDatabase {
        match admin {
            Some(admin_url) if !admin_url.is_empty() => {
                sqlx::any::install_default_drivers();
                let name = format!("ck_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = AnyConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("{ENV} is set but PostgreSQL is unreachable: {e}"));
                conn.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let (base, _) = admin_url.rsplit_once('/').expect("database URL with a path");
                TestDatabase {
                    url: format!("{base}/{name}"),
                    postgres: Some((admin_url, name)),
                }
            }
            _ => TestDatabase {
                url: format!("sqlite://{}?mode=rwc", dir.join("carekeep.db").display()),
                postgres: None,
            },
        }
    }

    pub async fn drop_database(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            if let Ok(mut conn) = AnyConnection::connect(&admin).await {
                let _ = conn
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
                conn.close().await.ok();
            }
        }
    }
}

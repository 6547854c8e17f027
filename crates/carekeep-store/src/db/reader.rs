//! A read of several statements, such as a chart view's patient and then its chart. On SQLite
//! the hot ones run on the calling thread ([`crate::db::direct`]); everything else, and everything
//! on PostgreSQL, shares one connection taken on first use: on PostgreSQL from the
//! [`crate::db::quiet_pool`], which takes it back without the round trip sqlx's pools spend
//! pinging it when the reader's last read ran to its end.

use super::quiet_pool::QuietConn;
use crate::chart_rows::{chart_rows, chart_rows_direct, patient_and_chart, patient_and_chart_direct, ChartRows, Part};
use crate::records::PatientRow;
use crate::sessions::{live_with_user, live_with_user_direct, LiveSession};
use crate::{Conn, Store, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::Any;

pub struct Reader<'s> {
    store: &'s Store,
    conn: Option<Held>,
}

enum Held {
    Pooled(PoolConnection<Any>),
    Quiet(QuietConn),
}

impl Store {
    /// A reader; it takes no connection until a query needs one.
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            store: self,
            conn: None,
        }
    }
}

impl Reader<'_> {
    /// The reader's pooled connection, for any query: checked out on first use, then kept.
    pub async fn conn(&mut self) -> Result<&mut Conn, StoreError> {
        let held = match self.conn.take() {
            Some(c) => c,
            None => match self.store.quiet().await? {
                Some(q) => Held::Quiet(q),
                None => Held::Pooled(self.store.read().await?),
            },
        };
        match self.conn.insert(held) {
            Held::Pooled(c) => Ok(&mut **c),
            Held::Quiet(q) => q.conn(),
        }
    }

    /// A read's result: one that ran to its end leaves the connection to go back without a
    /// ping; one that failed leaves it to be pinged (and closed if that fails).
    fn checked<T>(&mut self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        if let (Ok(_), Some(Held::Quiet(q))) = (&r, &mut self.conn) {
            q.finished();
        }
        r
    }

    /// [`live_with_user`].
    pub async fn live_with_user(&mut self, token_hash: &str) -> Result<Option<LiveSession>, StoreError> {
        match self.store.direct() {
            Some(direct) => direct.run(|c| live_with_user_direct(c, token_hash)),
            None => {
                let r = live_with_user(self.conn().await?, token_hash).await;
                self.checked(r)
            }
        }
    }

    /// [`patient_and_chart`].
    pub async fn patient_and_chart(&mut self, id: i64, parts: &[Part]) -> Result<(PatientRow, ChartRows), StoreError> {
        match self.store.direct() {
            Some(direct) => direct.run(|c| patient_and_chart_direct(c, id, parts)),
            None => {
                let r = patient_and_chart(self.conn().await?, id, parts).await;
                self.checked(r)
            }
        }
    }

    /// [`crate::audit::each_patient_use`].
    pub async fn each_patient_use(
        &mut self,
        actor_id: i64,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
        each: impl FnMut(crate::audit::PatientUse),
    ) -> Result<(), StoreError> {
        match self.store.direct() {
            Some(direct) => direct.run(|c| crate::audit::each_patient_use_direct(c, actor_id, from, to, each)),
            None => {
                let r = crate::audit::each_patient_use(self.conn().await?, actor_id, from, to, each).await;
                self.checked(r)
            }
        }
    }

    /// [`chart_rows`].
    pub async fn chart_rows(&mut self, patient_id: i64, parts: &[Part]) -> Result<ChartRows, StoreError> {
        match self.store.direct() {
            Some(direct) => direct.run(|c| chart_rows_direct(c, patient_id, parts)),
            None => {
                let r = chart_rows(self.conn().await?, patient_id, parts).await;
                self.checked(r)
            }
        }
    }
}

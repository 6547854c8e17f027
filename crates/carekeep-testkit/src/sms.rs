//! The local stand-in SMS gateway: it speaks the common REST shape (`POST <base>/messages`
//! with `to`, `from` and `body` as JSON or a form, bearer or basic auth) and keeps every
//! request, which `GET <base>/requests` lists as JSON. A patient's reply is delivered as a real
//! gateway does, to the clinic's webhook: `POST <base>/replies` with `webhook`, `secret`,
//! `from` and `body` (JSON) makes the gateway post `{"from", "to", "text"}` there with
//! `Authorization: Bearer <secret>`, and answers `{"status": <the webhook's status>}`. Tests start it in-process; when
//! `CAREKEEP_TEST_SMS_URL` is set (`.ci/run` starts `.ci/sms-gateway.py`, which answers the
//! same way) they use that one instead, and in CI a missing one fails.

use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One text the gateway was asked to send.
#[derive(Clone, Debug)]
pub struct SmsRequest {
    /// The `Authorization` header as received.
    pub auth: String,
    pub to: String,
    pub from: String,
    pub body: String,
}

pub struct SmsGateway {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SmsGateway {
    /// The gateway of `CAREKEEP_TEST_SMS_URL` when set (in CI it must be), else one started
    /// in this process.
    pub async fn start() -> SmsGateway {
        if std::env::var("CAREKEEP_TEST_SMS_URL").is_ok_and(|v| !v.is_empty()) || in_ci() {
            let base = crate::external_service(
                "CAREKEEP_TEST_SMS_URL",
                "the stand-in SMS gateway (.ci/sms-gateway.py; .ci/run starts it)",
            )
            .unwrap_or_default();
            return SmsGateway {
                base: base.trim_end_matches('/').to_owned(),
                task: None,
            };
        }
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind sms gateway");
        let port = listener.local_addr().expect("addr").port();
        let kept: Arc<Mutex<Vec<Value>>> = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let _ = serve(socket, kept).await;
                });
            }
        });
        SmsGateway {
            base: format!("http://127.0.0.1:{port}"),
            task: Some(task),
        }
    }

    /// The texts sent with this `Authorization` header (each test uses its own token, so a
    /// gateway shared by many tests answers each for its own).
    pub async fn requests(&self, auth: &str) -> Vec<SmsRequest> {
        let all: Vec<Value> = reqwest::get(format!("{}/requests", self.base))
            .await
            .expect("the SMS gateway answers")
            .json()
            .await
            .expect("the SMS gateway's list is JSON");
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        all.iter()
            .filter(|v| v.get("auth").and_then(Value::as_str) == Some(auth))
            .map(|v| SmsRequest {
                auth: text(v, "auth"),
                to: text(v, "to"),
                from: text(v, "from"),
                body: text(v, "body"),
            })
            .collect()
    }
}

impl SmsGateway {
    /// A patient texts `body` from `from`: the gateway posts it to `webhook` with the shared
    /// `secret`. Returns the webhook's HTTP status.
    pub async fn reply(&self, webhook: &str, secret: &str, from: &str, body: &str) -> u16 {
        let answer: Value = reqwest::Client::new()
            .post(format!("{}/replies", self.base))
            .json(&json!({"webhook": webhook, "secret": secret, "from": from, "body": body}))
            .send()
            .await
            .expect("the SMS gateway answers")
            .json()
            .await
            .expect("the SMS gateway's answer is JSON");
        answer
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(0)
    }
}

/// The gateway delivering a reply to the clinic's webhook, as the common gateways do.
async fn deliver(body: &str) -> Value {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let t = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let res = reqwest::Client::new()
        .post(t("webhook"))
        .bearer_auth(t("secret"))
        .json(&json!({"from": t("from"), "to": "+15550100000", "text": t("body")}))
        .send()
        .await;
    json!({"status": res.map(|r| r.status().as_u16()).unwrap_or(0)})
}

impl Drop for SmsGateway {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn form_value(form: &str, key: &str) -> String {
    form_urlencoded::parse(form.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn serve(socket: tokio::net::TcpStream, kept: Arc<Mutex<Vec<Value>>>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut read = BufReader::new(read);
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or_default().to_owned(),
            parts.next().unwrap_or_default().to_owned(),
        );
        let (mut length, mut auth, mut kind) = (0usize, String::new(), String::new());
        loop {
            let mut h = String::new();
            read.read_line(&mut h).await?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((name, value)) = h.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    "authorization" => auth = value.trim().to_owned(),
                    "content-type" => kind = value.trim().to_owned(),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        read.read_exact(&mut body).await?;
        let body = String::from_utf8_lossy(&body).into_owned();
        let (status, answer) = match (method.as_str(), path.trim_end_matches('/')) {
            ("POST", p) if p.ends_with("/messages") => {
                let (to, from, text) = if kind.starts_with("application/json") {
                    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                    let t = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
                    (t("to"), t("from"), t("body"))
                } else {
                    (
                        form_value(&body, "to"),
                        form_value(&body, "from"),
                        form_value(&body, "body"),
                    )
                };
                if auth.is_empty() {
                    ("401 Unauthorized", json!({"error": "no credentials"}))
                } else if to.is_empty() || text.is_empty() {
                    ("400 Bad Request", json!({"error": "to and body are required"}))
                } else {
                    let mut kept = kept.lock().expect("kept");
                    kept.push(json!({"auth": auth, "to": to, "from": from, "body": text}));
                    (
                        "201 Created",
                        json!({"id": format!("SM{}", kept.len()), "status": "queued"}),
                    )
                }
            }
            ("POST", "/replies") => ("200 OK", deliver(&body).await),
            ("GET", "/requests") => ("200 OK", Value::Array(kept.lock().expect("kept").clone())),
            _ => ("404 Not Found", json!({"error": "not found"})),
        };
        let answer = answer.to_string();
        write
            .write_all(
                format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
                    answer.len()
                )
                .as_bytes(),
            )
            .await?;
    }
}

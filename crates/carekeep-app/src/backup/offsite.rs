//! The off-site copy: a mounted folder (a NAS, a USB disk) and/or an S3-compatible bucket,
//! behind the BAA gate when a vendor runs it (164.308(b)(1), 164.314(a): a backup carries PHI,
//! encrypted or not).

use super::{failed, BackupError};
use crate::App;
use rusty_s3::actions::{AbortMultipartUpload, CompleteMultipartUpload, CreateMultipartUpload, HeadObject, UploadPart};
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use std::path::Path;
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// Parts of a multipart upload: S3's minimum is 5 MiB, its maximum count 10,000; this size
/// keeps memory small and reaches 160 GiB.
const PART: usize = 16 << 20;
/// How long a signed request stays valid: long enough to send one part on a slow line.
const SIGNED_FOR: Duration = Duration::from_secs(3600);

/// An S3-compatible bucket for off-site copies.
#[derive(Clone, Debug)]
pub struct S3Target {
    pub endpoint: reqwest::Url,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    pub prefix: String,
    pub virtual_host: bool,
}

/// Where off-site copies go: a mounted folder and/or a bucket, and the vendor running them.
#[derive(Clone, Debug, Default)]
pub struct Offsite {
    /// Empty for none.
    pub dir: std::path::PathBuf,
    pub s3: Option<S3Target>,
    /// The vendor that runs the target, checked against the BAA register; empty for the clinic's own.
    pub vendor: String,
}

impl App {
    /// Copies a backup to each configured off-site target; what it shipped, named for a person.
    /// A target run by a vendor passes the BAA gate first, and nothing goes anywhere if it fails.
    pub async fn ship_offsite(&self, to: &Offsite, file: &Path) -> Result<Vec<String>, BackupError> {
        ship_offsite(self, to, file).await
    }
}

async fn ship_offsite(app: &App, to: &Offsite, file: &Path) -> Result<Vec<String>, BackupError> {
    let s3 = to.s3.clone();
    let dir = &to.dir;
    if dir.as_os_str().is_empty() && s3.is_none() {
        return Ok(Vec::new());
    }
    let vendor = to.vendor.trim();
    if !vendor.is_empty() {
        app.integration_gate("off-site backup target", vendor, true)
            .await
            .map_err(|e| BackupError::Refused(e.to_string()))?;
    }
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| BackupError::Usage("the backup has no file name".into()))?;
    let mut shipped = Vec::new();
    if !dir.as_os_str().is_empty() {
        let target = dir.join(&name);
        let partial = dir.join(format!(".{name}.partial"));
        std::fs::copy(file, &partial).map_err(failed("copy the backup off-site"))?;
        std::fs::File::open(&partial)
            .and_then(|f| f.sync_all())
            .map_err(failed("sync the off-site copy"))?;
        std::fs::rename(&partial, &target).map_err(failed("move the off-site copy into place"))?;
        shipped.push(target.display().to_string());
    }
    if let Some(s3) = s3 {
        shipped.push(upload(&s3, file, &name).await?);
    }
    Ok(shipped)
}

fn s3_failed(what: &'static str) -> impl Fn(reqwest::Error) -> BackupError {
    move |e| BackupError::Failed(format!("{what}: {e}"))
}

/// Sends a signed request; a response that is not a success is an error naming S3's own code.
async fn send(req: reqwest::RequestBuilder, what: &'static str) -> Result<reqwest::Response, BackupError> {
    let res = req.send().await.map_err(s3_failed(what))?;
    if res.status().is_success() {
        return Ok(res);
    }
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    let code = body
        .split_once("<Code>")
        .and_then(|(_, r)| r.split_once("</Code>"))
        .map(|(c, _)| c.to_owned())
        .unwrap_or_default();
    Err(BackupError::Failed(format!(
        "{what}: the bucket answered {status} {code}"
    )))
}

/// Uploads `file` as `prefix + name` in parts (a multipart upload is all-or-nothing: the
/// object appears only when it completes), then checks the bucket holds every byte.
async fn upload(t: &S3Target, file: &Path, name: &str) -> Result<String, BackupError> {
    let style = if t.virtual_host {
        UrlStyle::VirtualHost
    } else {
        UrlStyle::Path
    };
    let bucket = Bucket::new(t.endpoint.clone(), style, t.bucket.clone(), t.region.clone())
        .map_err(|e| BackupError::Usage(format!("backup_s3_endpoint: {e}")))?;
    let creds = Credentials::new(t.access_key.clone(), t.secret_key.clone());
    let object = format!("{}{name}", t.prefix);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(900))
        .build()
        .map_err(s3_failed("prepare the upload"))?;
    let start = client.post(CreateMultipartUpload::new(&bucket, Some(&creds), &object).sign(SIGNED_FOR));
    let body = send(start, "start the upload")
        .await?
        .text()
        .await
        .map_err(s3_failed("start the upload"))?;
    let started = CreateMultipartUpload::parse_response(&body)
        .map_err(|e| BackupError::Failed(format!("start the upload: {e}")))?;
    let id = started.upload_id();
    let sent = send_parts(&client, &bucket, &creds, &object, id, file).await;
    let size = match sent {
        Ok(size) => size,
        Err(e) => {
            let abort = AbortMultipartUpload::new(&bucket, Some(&creds), &object, id).sign(SIGNED_FOR);
            let _ = client.delete(abort).send().await;
            return Err(e);
        }
    };
    let res = send(
        client.head(HeadObject::new(&bucket, Some(&creds), &object).sign(SIGNED_FOR)),
        "check the upload",
    )
    .await?;
    let stored = res
        .headers()
        .get(reqwest::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if stored != Some(size) {
        return Err(BackupError::Failed(format!(
            "the bucket holds {} bytes of {object}, the backup has {size}",
            stored.map_or("an unknown number of".into(), |n| n.to_string())
        )));
    }
    Ok(format!("{}/{object}", t.bucket))
}

/// Sends the file's parts and completes the upload; the bytes sent.
async fn send_parts(
    client: &reqwest::Client,
    bucket: &Bucket,
    creds: &Credentials,
    object: &str,
    id: &str,
    file: &Path,
) -> Result<u64, BackupError> {
    let mut f = tokio::fs::File::open(file).await.map_err(failed("read the backup"))?;
    let mut etags = Vec::new();
    let mut size = 0u64;
    loop {
        let mut part = Vec::with_capacity(PART);
        (&mut f)
            .take(PART as u64)
            .read_to_end(&mut part)
            .await
            .map_err(failed("read the backup"))?;
        if part.is_empty() && !etags.is_empty() {
            break;
        }
        let number = u16::try_from(etags.len() + 1)
            .map_err(|_| BackupError::Failed("the backup is too large for one upload".into()))?;
        size += part.len() as u64;
        let last = part.len() < PART;
        let url = UploadPart::new(bucket, Some(creds), object, number, id).sign(SIGNED_FOR);
        let res = send(client.put(url).body(part), "send a part").await?;
        let etag = res
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| BackupError::Failed("the bucket did not acknowledge a part".into()))?;
        etags.push(etag.to_owned());
        if last {
            break;
        }
    }
    let done = CompleteMultipartUpload::new(bucket, Some(creds), object, id, etags.iter().map(String::as_str));
    let url = done.sign(SIGNED_FOR);
    let res = send(client.post(url).body(done.body()), "finish the upload").await?;
    // S3 can answer 200 with an error in the body once the upload has been assembled.
    let body = res.text().await.map_err(s3_failed("finish the upload"))?;
    if body.contains("<Error>") {
        return Err(BackupError::Failed(
            "finish the upload: the bucket refused to assemble it".into(),
        ));
    }
    Ok(size)
}

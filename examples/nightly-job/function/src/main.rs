//! The nightly job (seed 004: "a nightly job writes a database dump to S3"): run by an
//! EventBridge schedule, it writes the night's dump to `dumps/<date>.json` in the bucket named
//! by `BUCKET_NAME`, where the bucket's lifecycle moves it to Glacier and later deletes it.
//!
//! The dump here is the run's record (the scheduled event and the time it fired); a real job
//! would put its database export in the same place.

use aws_sdk_s3::primitives::ByteStream;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let bucket = std::env::var("BUCKET_NAME").map_err(|_| "BUCKET_NAME is not set")?;
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let s3 = aws_sdk_s3::Client::new(&config);
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let (s3, bucket) = (s3.clone(), bucket.clone());
        async move {
            let key = object_key(&event.payload, &event.context.request_id);
            let body = dump(&event.payload);
            s3.put_object()
                .bucket(&bucket)
                .key(&key)
                .content_type("application/json")
                .body(ByteStream::from(body))
                .send()
                .await?;
            Ok::<Value, Error>(json!({ "bucket": bucket, "key": key }))
        }
    }))
    .await
}

/// `dumps/<date>.json` from the scheduled event's `time` (`2026-12-01T02:00:00Z`), or
/// `dumps/manual-<request id>.json` when invoked by hand.
fn object_key(event: &Value, request_id: &str) -> String {
    match event.get("time").and_then(Value::as_str) {
        Some(time) if time.len() >= 10 && time.is_char_boundary(10) => {
            format!("dumps/{}.json", &time[..10])
        }
        _ => format!("dumps/manual-{request_id}.json"),
    }
}

/// The dump's bytes.
fn dump(event: &Value) -> Vec<u8> {
    let record = json!({
        "job": "nightly-dump",
        "scheduled_at": event.get("time").cloned().unwrap_or(Value::Null),
        "rule": event.get("resources").cloned().unwrap_or(Value::Null),
    });
    serde_json::to_vec_pretty(&record).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduled_runs_are_named_by_date() {
        let event = json!({ "time": "2026-12-01T02:00:00Z", "resources": ["arn:aws:events:..."] });
        assert_eq!(object_key(&event, "r-1"), "dumps/2026-12-01.json");
        assert_eq!(object_key(&json!({}), "r-1"), "dumps/manual-r-1.json");
        let body: Value = serde_json::from_slice(&dump(&event)).unwrap();
        assert_eq!(body["scheduled_at"], "2026-12-01T02:00:00Z");
    }
}

//! Derived constructs three levels deep, with `Option`, `Vec`, map and skipped fields; the ids
//! and paths they get are checked against the synthesized tree.
use std::collections::BTreeMap;

use rcdk_core::{App, RawResource, Stack};
use rcdk_macros::Construct;

#[derive(Construct)]
struct Worker {
    queue: RawResource,
    dead_letters: Option<RawResource>,
}

#[derive(Construct)]
#[construct(type_name = "OrderService")]
struct Service {
    #[construct(id = "Jobs")]
    jobs_queue: RawResource,
    replicas: Vec<Worker>,
    topics: BTreeMap<String, RawResource>,
    alarm: Option<RawResource>,
    #[construct(skip)]
    port: u16,
}

#[derive(Construct)]
struct Platform {
    orders: Service,
    audit_log: RawResource,
}

fn queue() -> RawResource {
    RawResource::new("AWS::SQS::Queue")
}

fn main() {
    let platform = Platform {
        orders: Service {
            jobs_queue: queue(),
            replicas: vec![
                Worker { queue: queue(), dead_letters: Some(queue()) },
                Worker { queue: queue(), dead_letters: None },
            ],
            topics: BTreeMap::from([("Billing".to_string(), RawResource::new("AWS::SNS::Topic"))]),
            alarm: None,
            port: 8080,
        },
        audit_log: RawResource::new("AWS::Logs::LogGroup"),
    };
    assert_eq!(platform.orders.port, 8080);
    let mut app = App::new();
    app.add(Stack::new("Prod").with("Platform", platform));
    let assembly = app.synth().expect("synthesizes");
    let paths: Vec<&String> = assembly.stacks[0].paths.values().collect();
    assert_eq!(
        paths,
        [
            "Prod/Platform/Orders/Jobs",
            "Prod/Platform/Orders/Replicas1/Queue",
            "Prod/Platform/Orders/Replicas1/DeadLetters",
            "Prod/Platform/Orders/Replicas2/Queue",
            "Prod/Platform/Orders/Billing",
            "Prod/Platform/AuditLog",
        ]
    );
    let tree = &assembly.tree["stacks"][0]["children"][0];
    assert_eq!(tree["type"], "Platform");
    assert_eq!(tree["children"][0]["type"], "OrderService");
    assert_eq!(tree["children"][0]["children"][1]["type"], "Worker");
}

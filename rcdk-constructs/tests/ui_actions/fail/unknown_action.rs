// Actions the service does not have: a misspelling, a near-miss with several equally close
// actions, and a made-up one; every bad literal of `actions!` is reported.
use rcdk_constructs::{action, actions};

fn main() {
    let _typo = action!("sqs:RecieveMessage");
    let _near = action!("s3:GetObjects");
    let _several = actions!["dynamodb:GetItems", "dynamodb:Query", "dynamodb:PutItm"];
}

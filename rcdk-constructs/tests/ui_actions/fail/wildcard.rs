// Wildcards are refused by `action!`; `Action::wildcard_explicitly` is the named way.
use rcdk_constructs::{action, actions};

fn main() {
    let _get = action!("s3:Get*");
    let _all = actions!["sqs:*"];
    let _everything = action!("*");
}

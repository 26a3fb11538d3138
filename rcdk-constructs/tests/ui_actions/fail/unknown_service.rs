// Service prefixes that the IAM action list does not have: a typo, an upper-case prefix
// (Action::new refuses those too), and a service's name instead of its prefix.
use rcdk_constructs::{action, actions};

fn main() {
    let _typo = action!("sqss:SendMessage");
    let _upper = action!("SQS:SendMessage");
    let _name = actions!["cloudwatchlogs:PutLogEvents", "ecr:BatchGetImage"];
}

// Listed actions compile in any case, keep their spelling, and are plain `Action`s.
use rcdk_constructs::iam::{Action, Statement};
use rcdk_constructs::{action, actions};

fn main() {
    let receive: Action = action!("sqs:ReceiveMessage");
    assert_eq!(receive, Action::new("sqs:ReceiveMessage").unwrap());
    assert_eq!(action!("s3:getobject").as_str(), "s3:getobject");
    assert_eq!(
        action!("vpc-lattice:AssociateViaAWSService-EventsAndStates").as_str(),
        "vpc-lattice:AssociateViaAWSService-EventsAndStates"
    );
    let read: [Action; 2] = actions!["s3:GetObject", "s3:ListBucket",];
    let statement = Statement::allow(read);
    assert_eq!(statement.actions().len(), 2);
}

//! ARNs of resources made outside this app, derived from their names in the stack's partition,
//! region and account: how the imported variants (`Bucket::from_name`, `Table::from_name`, ...)
//! answer for an ARN nobody gave them.

use rcdk_core::{fns, Val};

/// `template` (an ARN with `${AWS::Partition}`, `${AWS::Region}`, `${AWS::AccountId}` and
/// `${Name}`) as `Fn::Sub`, with `${Name}` bound to `name`, as an ARN of kind `K`. The name goes
/// in as a variable: it may hold characters `Fn::Sub` would read.
pub(crate) fn from_name<K: ?Sized>(template: &str, name: impl Into<Val<String>>) -> Val<K> {
    fns::sub(template, [("Name", name.into())]).cast()
}

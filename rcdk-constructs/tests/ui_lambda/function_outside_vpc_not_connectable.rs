// A function built without `.vpc(..)` has no security group, so the connections API does not
// take it: only `Function<InVpc>` is `Connectable`.
use rcdk_constructs::lambda::{Code, Function, Runtime};
use rcdk_constructs::network::{Port, SecurityGroup};

fn main() {
    let function = Function::builder(Code::inline("def handler(e, c):\n    return 1\n").unwrap())
        .runtime(Runtime::Python313)
        .build()
        .unwrap();
    let mut database = SecurityGroup::new("vpc-0a1b2c3d4e5f60718", "db", "Database");
    database.allow_from(&function, Port::tcp(5432));
}

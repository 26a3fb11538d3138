// Not `service:ActionName`, not a string literal, or not exactly one literal.
use rcdk_constructs::{action, actions};

fn main() {
    let _no_colon = action!("s3GetObject");
    let _empty_name = action!("s3:");
    let _space = action!("s3: GetObject");
    let _two = action!("s3:GetObject", "s3:PutObject");
    let _ident = action!(s3);
    let _none = actions![];
}

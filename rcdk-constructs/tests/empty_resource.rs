//! `cfn::empty_resource`: a typed resource from its type name, as an included template needs.
#![cfg(all(feature = "s3", feature = "ec2"))]

use rcdk_constructs::cfn::{self, ec2, s3};
use rcdk_core::{Resource, TagFormat};

#[test]
fn empty_resource_is_the_typed_struct_without_properties() {
    let mut c = cfn::empty_resource("AWS::S3::Bucket").expect("a known type");
    assert_eq!(c.construct_type(), "AWS::S3::Bucket");
    let bucket = c
        .as_any_mut()
        .and_then(|a| a.downcast_mut::<s3::Bucket>())
        .expect("an s3::Bucket");
    assert!(bucket.core().props.is_empty());
    assert_eq!(bucket.core().tag_format(), TagFormat::List);

    let mut c = cfn::empty_resource("AWS::EC2::VPC").expect("a known type");
    assert!(c
        .as_any_mut()
        .is_some_and(|a| a.downcast_mut::<ec2::Vpc>().is_some()));

    assert!(cfn::empty_resource("AWS::S3::NoSuchThing").is_none());
    assert!(cfn::empty_resource("AWS::NoSuchService::Bucket").is_none());
    assert!(cfn::empty_resource("Custom::Thing").is_none());
    assert!(cfn::empty_resource("").is_none());
}

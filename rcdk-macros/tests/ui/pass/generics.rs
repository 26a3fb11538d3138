//! Generic constructs: a type parameter that is a construct, one behind `Vec`, a lifetime on a
//! skipped field, and a where clause.
use std::marker::PhantomData;

use rcdk_core::{Construct, RawResource};
use rcdk_macros::Construct;

#[derive(Construct)]
struct Pair<A, B: Construct> {
    first: A,
    others: Vec<B>,
}

#[derive(Construct)]
struct Labeled<'a, T>
where
    T: Send,
{
    #[construct(skip)]
    label: &'a str,
    item: T,
    #[construct(skip)]
    marker: PhantomData<T>,
}

fn ids(c: &dyn Construct) -> Vec<String> {
    c.children()
        .into_iter()
        .map(|child| match child.id {
            rcdk_core::ChildId::Named(id) => id,
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

fn main() {
    let pair = Pair {
        first: RawResource::new("AWS::SNS::Topic"),
        others: vec![RawResource::new("AWS::SQS::Queue"), RawResource::new("AWS::SQS::Queue")],
    };
    assert_eq!(ids(&pair), ["First", "Others1", "Others2"]);
    assert_eq!(pair.construct_type(), "Pair");
    let name = String::from("borrowed");
    let mut labeled = Labeled { label: &name, item: pair, marker: PhantomData };
    assert_eq!(labeled.label, "borrowed");
    assert_eq!(ids(&labeled), ["Item"]);
    assert_eq!(labeled.children_mut().len(), 1);
    let nested: Pair<Labeled<'_, Pair<RawResource, RawResource>>, RawResource> = Pair {
        first: labeled,
        others: Vec::new(),
    };
    assert_eq!(ids(&nested), ["First"]);
}

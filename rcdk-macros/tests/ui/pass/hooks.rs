//! `annotations` and `costs` on the struct: the functions they name are what synthesis sees.
use rcdk_core::{Annotation, App, CostItem, RawResource, Stack};
use rcdk_macros::Construct;

#[derive(Construct)]
#[construct(annotations = "Self::check", costs = "gateway_costs")]
struct Gateway {
    resource: RawResource,
    #[construct(skip)]
    zones: u32,
}

impl Gateway {
    fn check(&self) -> Vec<Annotation> {
        if self.zones == 0 {
            vec![Annotation::error("a gateway needs at least one zone")]
        } else {
            Vec::new()
        }
    }
}

fn gateway_costs(g: &Gateway) -> Vec<CostItem> {
    vec![CostItem::monthly("NAT gateway", g.zones, 32.85)]
}

fn app(zones: u32) -> App {
    let mut app = App::new();
    app.add(Stack::new("S").with(
        "Gateway",
        Gateway {
            resource: RawResource::new("AWS::EC2::NatGateway"),
            zones,
        },
    ));
    app
}

fn main() {
    let assembly = app(2).synth().expect("synthesizes");
    assert_eq!(assembly.costs.len(), 1);
    assert_eq!(assembly.costs[0].0, "S/Gateway");
    assert_eq!(assembly.costs[0].1.count, 2);
    let err = app(0).synth().unwrap_err();
    assert_eq!(err.0[0].path, "S/Gateway");
    assert!(err.0[0].message.contains("at least one zone"));
}

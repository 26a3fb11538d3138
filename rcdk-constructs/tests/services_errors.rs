//! Every invalid input of the service constructs is a clear error saying what to change.

use rcdk_constructs::data::PostgresDatabase;
use rcdk_constructs::ecs::{
    AutoScaling, Container, ContainerImage, EcsCluster, EcsService, FargateSize,
};
use rcdk_constructs::elbv2::{ApplicationLoadBalancer, PriorityAllocator, Route};
use rcdk_constructs::error::ConstructError;
use rcdk_constructs::network::{NatPolicy, SubnetSelection, Tier, TierKind, TieredVpc};

fn vpc(azs: usize) -> TieredVpc {
    TieredVpc::builder()
        .max_azs(azs)
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .nat(NatPolicy::Single)
        .build()
        .unwrap()
}

fn web(port: u16) -> Container {
    Container::new("web", ContainerImage::registry("nginx:1.27"))
        .unwrap()
        .port(port)
}

#[test]
fn a_service_outside_the_private_subnets_is_an_error() {
    let vpc = vpc(2);
    let cluster = EcsCluster::new();
    let err = EcsService::builder("users", &cluster, &vpc)
        .container(web(80))
        .subnets(SubnetSelection::Kind(TierKind::Public))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "service `users` would run in the public subnets: services run in the VPC's private \
         subnets (no public IP, behind the load balancer); remove the subnet choice or pick the \
         private tier"
    );
    let err = EcsService::builder("users", &cluster, &vpc)
        .container(web(80))
        .subnets(SubnetSelection::tier("Public"))
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        ConstructError::ServiceNotInPrivateSubnets { .. }
    ));
    let public = vpc.subnet_ids(TierKind::Public);
    let err = EcsService::builder("users", &cluster, &vpc)
        .container(web(80))
        .subnets(SubnetSelection::Explicit(public))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("explicitly given"), "{err}");
    // The private tier by name is fine.
    assert!(EcsService::builder("users", &cluster, &vpc)
        .container(web(80))
        .subnets(SubnetSelection::tier("Private"))
        .build()
        .is_ok());
}

#[test]
fn a_vpc_without_private_subnets_cannot_host_a_service() {
    let vpc = TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .build()
        .unwrap();
    let err = EcsService::builder("users", &EcsCluster::new(), &vpc)
        .container(web(80))
        .build()
        .unwrap_err();
    assert!(
        matches!(err, ConstructError::ServiceNotInPrivateSubnets { .. }),
        "{err}"
    );
}

#[test]
fn a_listener_priority_clash_is_an_error() {
    let vpc = vpc(2);
    let cluster = EcsCluster::new();
    let mut alb = ApplicationLoadBalancer::builder(&vpc).build().unwrap();
    let mut users = EcsService::builder("users", &cluster, &vpc)
        .container(web(3000))
        .build()
        .unwrap();
    let mut orders = EcsService::builder("orders", &cluster, &vpc)
        .container(web(8080))
        .build()
        .unwrap();
    alb.route(&mut users, Route::path("/users/*").priority(5))
        .unwrap();
    let err = alb
        .route(&mut orders, Route::path("/orders/*").priority(5))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "listener rule priority 5 is used by both `users` and `orders`: give one of them another \
         priority, or leave it out to have one allocated"
    );
}

#[test]
fn the_same_conditions_twice_are_an_error() {
    let mut allocator = PriorityAllocator::new();
    allocator
        .register("a", &[], &["/api/*".into()], None)
        .unwrap();
    let err = allocator
        .register("b", &[], &["/api/*".into()], None)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the second would never receive traffic"),
        "{err}"
    );
    let err = allocator.register("c", &[], &[], None).unwrap_err();
    assert!(
        err.to_string().contains("neither a path nor a host"),
        "{err}"
    );
    let err = allocator
        .register("d", &[], &["/x".into()], Some(0))
        .unwrap_err();
    assert!(err.to_string().contains("outside 1..=50000"), "{err}");
}

/// Name, hosts, paths, explicit priority.
type RouteSpec = (&'static str, Vec<String>, Vec<String>, Option<u16>);

#[test]
fn allocated_priorities_do_not_depend_on_insertion_order() {
    let routes: [RouteSpec; 4] = [
        ("catch-all", vec![], vec!["/*".into()], None),
        ("users", vec![], vec!["/users/*".into()], None),
        (
            "api-users",
            vec!["api.example.com".into()],
            vec!["/users/*".into()],
            None,
        ),
        ("pinned", vec![], vec!["/health".into()], Some(10)),
    ];
    let run = |order: &[usize]| {
        let mut a = PriorityAllocator::new();
        let mut idx = vec![0; routes.len()];
        for &i in order {
            let (name, hosts, paths, p) = &routes[i];
            idx[i] = a.register(name, hosts, paths, *p).unwrap();
        }
        let all = a.allocate().unwrap();
        idx.iter().map(|&i| all[i]).collect::<Vec<u16>>()
    };
    let first = run(&[0, 1, 2, 3]);
    assert_eq!(first, run(&[3, 2, 1, 0]));
    assert_eq!(first, run(&[1, 3, 0, 2]));
    // Host+path first, then the longer path, the catch-all last; 10 stays pinned.
    assert_eq!(first, vec![40, 30, 20, 10]);
}

#[test]
fn a_load_balancer_needs_two_azs() {
    let err = ApplicationLoadBalancer::builder(&vpc(1))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "an application load balancer needs public subnets in at least two availability zones; \
         the VPC has 1: build it with two or more AZs"
    );
}

#[test]
fn bad_runtime_sizes_and_names_are_errors() {
    let err = FargateSize::try_new(256, 4096).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cpu 256 with memory 4096 MiB is not a Fargate cpu/memory combination"),
        "{err}"
    );
    assert_eq!(FargateSize::try_new(4096, 30720).unwrap().memory(), 30720);
    assert!(Container::new("bad name", ContainerImage::registry("x")).is_err());
    let vpc = vpc(2);
    let err = EcsService::builder("users", &EcsCluster::new(), &vpc)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("at least one container"), "{err}");
    let err = EcsService::builder("users", &EcsCluster::new(), &vpc)
        .container(web(80))
        .desired_count(3)
        .autoscaling(AutoScaling::cpu(2, 4, 60).unwrap())
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("remove .desired_count(...)"),
        "{err}"
    );
}

#[test]
fn the_data_tier_needs_isolated_subnets() {
    let err = PostgresDatabase::builder(&vpc(2)).build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "PostgresDatabase runs in the VPC's isolated subnets, and this VPC has none: add an \
         isolated tier to the VPC"
    );
}

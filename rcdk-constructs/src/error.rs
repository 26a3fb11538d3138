//! Errors of the higher-level constructs' builders. Every message says what is wrong and what to
//! change; they are returned before anything is written.

/// Names a tier cannot have: the VPC gives them to its other children (`Resource` and `Default`
/// would also vanish from logical ids). Names ending in `Endpoint` or `Nacl` are reserved too.
pub(crate) const RESERVED_TIER_NAMES: [&str; 5] = [
    "Resource",
    "Default",
    "InternetGateway",
    "GatewayAttachment",
    "FlowLogs",
];

/// What [`ConstructError::InvalidFargateSize`] says about a bad pair; also the compile-time
/// message of `fargate_size!`.
pub(crate) const FARGATE_SIZE_HELP: &str =
    "not a Fargate cpu/memory combination: cpu 256 takes 512, \
1024 or 2048 MiB; 512 takes 1024-4096; 1024 takes 2048-8192; 2048 takes 4096-16384; 4096 takes \
8192-30720 (steps of 1024); 8192 takes 16384-61440 (steps of 4096); 16384 takes 32768-122880 \
(steps of 8192)";

/// Why a construct could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConstructError {
    /// A bootstrap qualifier is malformed.
    #[error("bootstrap {problem}")]
    InvalidQualifier {
        /// What is wrong, from `rcdk_core::bootstrap::check_qualifier`.
        problem: String,
    },
    /// A CIDR string could not be read.
    #[error("invalid CIDR '{text}': {reason}; write it as four numbers 0-255 and a prefix length, e.g. 10.0.0.0/16")]
    InvalidCidr {
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A VPC or subnet prefix length outside what EC2 accepts (/16 to /28).
    #[error("{what} has prefix /{prefix}, but EC2 accepts /16 to /28; choose a prefix length in that range")]
    PrefixOutOfRange {
        /// "VPC CIDR 10.0.0.0/8" or "the subnets of tier 'X'".
        what: String,
        /// The prefix length.
        prefix: u8,
    },
    /// The tiers need more addresses than the VPC CIDR holds.
    #[error("VPC CIDR {vpc} is too small: the tiers need {needed} addresses ({detail}) but it holds {available}; use a larger VPC CIDR (a shorter prefix such as /{suggested_prefix}), fewer AZs or longer subnet prefixes")]
    VpcTooSmall {
        /// The VPC CIDR.
        vpc: String,
        /// Addresses the subnets need together.
        needed: u64,
        /// Addresses in the VPC CIDR.
        available: u64,
        /// Per tier: `name: n x /p`.
        detail: String,
        /// The longest prefix that would hold the subnets.
        suggested_prefix: u8,
    },
    /// A subnet lies (partly) outside the VPC CIDR.
    #[error("subnet {subnet} of tier '{tier}' is outside the VPC CIDR {vpc}; pick a subnet inside {vpc}")]
    SubnetOutOfRange {
        /// The tier.
        tier: String,
        /// The subnet CIDR.
        subnet: String,
        /// The VPC CIDR.
        vpc: String,
    },
    /// Two subnets share addresses.
    #[error("subnet {first} (tier '{first_tier}') overlaps subnet {second} (tier '{second_tier}'); give them disjoint CIDRs")]
    SubnetOverlap {
        /// One subnet.
        first: String,
        /// Its tier.
        first_tier: String,
        /// The other subnet.
        second: String,
        /// Its tier.
        second_tier: String,
    },
    /// A tier was given explicit CIDRs, but not one per AZ.
    #[error("tier '{tier}' has {given} explicit CIDRs but the VPC spans {azs} AZs; give exactly one CIDR per AZ, or none to allocate them automatically")]
    CidrCountMismatch {
        /// The tier.
        tier: String,
        /// CIDRs given.
        given: usize,
        /// AZs of the VPC.
        azs: usize,
    },
    /// An explicit subnet CIDR whose prefix differs from its tier's prefix length.
    #[error("subnet {subnet} of tier '{tier}' is not a /{prefix} as the tier says; make the tier's prefix length match its CIDRs")]
    TierPrefixMismatch {
        /// The tier.
        tier: String,
        /// The subnet CIDR.
        subnet: String,
        /// The tier's prefix length.
        prefix: u8,
    },
    /// More AZs than allowed.
    #[error("{requested} AZs requested, but at most {max} are possible {why}; ask for fewer AZs")]
    TooManyAzs {
        /// AZs asked for.
        requested: usize,
        /// The limit.
        max: usize,
        /// Where the limit comes from.
        why: &'static str,
    },
    /// Zero AZs.
    #[error("a VPC needs at least one AZ; ask for 1 or more (2 or more for high availability)")]
    NoAzs,
    /// An AZ named twice.
    #[error("AZ '{az}' is named twice; name each AZ once")]
    DuplicateAz {
        /// The AZ name.
        az: String,
    },
    /// No tiers.
    #[error("a VPC needs at least one tier; add e.g. Tier::public(\"Public\", 24)")]
    NoTiers,
    /// Two tiers with the same name.
    #[error("tier name '{name}' is used twice; tier names must be unique")]
    DuplicateTier {
        /// The name.
        name: String,
    },
    /// A tier name that cannot be part of a construct id.
    #[error(
        "tier name '{name}' must be 1-64 ASCII letters or digits (it becomes part of logical ids)"
    )]
    InvalidTierName {
        /// The name.
        name: String,
    },
    /// A name that refers to no tier.
    #[error("there is no tier named '{name}'; the tiers are: {known}")]
    UnknownTier {
        /// The name asked for.
        name: String,
        /// The tiers that exist.
        known: String,
    },
    /// A private tier with egress but nowhere to put its NAT gateway.
    #[error("tier '{tier}' is private with egress, which needs a NAT gateway in a public tier, but {reason}; add a public tier, choose a NAT policy, or make '{tier}' isolated")]
    NoNatForPrivateTier {
        /// The private tier.
        tier: String,
        /// What is missing.
        reason: &'static str,
    },
    /// A network ACL rule number outside 1-32766 or used twice in one direction.
    #[error("network ACL of tier '{tier}': {problem}")]
    NaclRule {
        /// The tier the ACL belongs to.
        tier: String,
        /// What is wrong and what to change.
        problem: String,
    },
    /// A log retention CloudWatch Logs does not offer.
    #[error("{days} days is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653")]
    InvalidRetention {
        /// Days asked for.
        days: u32,
    },
    /// A port range whose start is above its end.
    #[error("port range {from}-{to} is reversed; write the lower port first")]
    ReversedPortRange {
        /// Start.
        from: u16,
        /// End.
        to: u16,
    },
    /// A rule open to the whole internet through a call that does not say so.
    #[error("{call} was given {cidr}, which is the whole internet; use {instead} to open a rule to everyone explicitly")]
    AnyIpv4NotExplicit {
        /// The call used.
        call: &'static str,
        /// The CIDR.
        cidr: String,
        /// The explicit call to use.
        instead: &'static str,
    },
    // ---- tiers and subnet selections ----
    /// A tier name the VPC already uses for one of its other children.
    #[error("tier name '{name}' is reserved (the VPC names other children {} and *Endpoint, *Nacl); choose another name", RESERVED_TIER_NAMES.join(", "))]
    ReservedTierName {
        /// The name.
        name: String,
    },
    /// A tier that is not public but asks for public IPs on launch.
    #[error("tier '{tier}' is {kind} but asks for public IPs on launch; only public tiers can give them")]
    PublicIpOnNonPublicTier {
        /// The tier.
        tier: String,
        /// Its kind (`private`, `isolated`).
        kind: &'static str,
    },
    /// A selection by kind in a VPC that has no tier of that kind.
    #[error("the VPC has no {kind} tier (its tiers are: {known}); add one or select another tier")]
    NoTierOfKind {
        /// The kind asked for (`public`, `private`, `isolated`).
        kind: &'static str,
        /// The tiers that exist.
        known: String,
    },
    /// A subnet selection that names no subnet.
    #[error("the subnet selection is empty; name at least one subnet")]
    EmptySubnetSelection,
    // ---- S3 lifecycle rules ----
    /// A bucket lifecycle rule S3 would refuse or that could never act.
    #[error("Bucket lifecycle rule `{rule}`: {problem}")]
    LifecycleRule {
        /// The rule's id.
        rule: String,
        /// What is wrong and what to change.
        problem: String,
    },
    /// A bucket replication that S3 would refuse.
    #[error("Bucket replication: {problem}")]
    Replication {
        /// What is wrong and what to change.
        problem: String,
    },
    // ---- VPC endpoints ----
    /// A gateway endpoint in a VPC without private or isolated tiers, whose route tables it
    /// would go on.
    #[error("the {service} gateway endpoint goes on the route tables of private and isolated tiers, and there are none; add such a tier or drop the endpoint")]
    GatewayEndpointWithoutRouteTables {
        /// The service (`s3`, `dynamodb`).
        service: &'static str,
    },
    /// An interface endpoint added twice.
    #[error("the {service} interface endpoint is added twice; add it once")]
    DuplicateInterfaceEndpoint {
        /// The service (`ssm`, `ecr.api`, ...).
        service: String,
    },
    // ---- imported VPCs: AZs and subnets ----
    /// An empty entry in an imported VPC's `availability_zones`.
    #[error("availability_zones {position} is empty; name the AZ (e.g. us-east-1a)")]
    EmptyAz {
        /// Its position, counting from 1.
        position: usize,
    },
    /// The same template value (not a literal name) given twice as an AZ of an imported VPC;
    /// literal names given twice are [`DuplicateAz`](Self::DuplicateAz).
    #[error("availability_zones {first} and {second} are the same value; name each AZ once")]
    DuplicateAzValue {
        /// Position of the first, counting from 1.
        first: usize,
        /// Position of the second, counting from 1.
        second: usize,
    },
    /// An imported tier without exactly one subnet per AZ of the VPC.
    #[error("tier '{tier}' has {given} subnets but the VPC spans {azs} AZs; give the tier exactly one subnet per AZ")]
    SubnetCountMismatch {
        /// The tier.
        tier: String,
        /// Subnets given.
        given: usize,
        /// AZs of the VPC.
        azs: usize,
    },
    /// An imported subnet whose AZ is empty.
    #[error("subnet {subnet} of tier '{tier}' has an empty AZ; give each subnet the AZ it is in")]
    EmptySubnetAz {
        /// The tier.
        tier: String,
        /// The subnet's position in the tier, counting from 1.
        subnet: usize,
    },
    /// An imported subnet in an AZ that is not one of the VPC's.
    #[error("subnet {subnet} of tier '{tier}' is in AZ {az}, which is not one of the VPC's availability_zones; give it one of those AZs or add its AZ to the VPC")]
    SubnetAzNotInVpc {
        /// The tier.
        tier: String,
        /// The subnet's position in the tier, counting from 1.
        subnet: usize,
        /// The AZ (its name, or `(a template value)`).
        az: String,
    },
    /// An imported tier with two subnets in one AZ.
    #[error("tier '{tier}' has two subnets in AZ {az}; give the tier one subnet per AZ")]
    DuplicateSubnetAz {
        /// The tier.
        tier: String,
        /// The AZ (its name, or `(a template value)`).
        az: String,
    },
    // ---- security groups ----
    /// A rule that would change only an imported security group, which this app does not
    /// manage.
    #[error("{group} is imported, so {call} would change only a group this app does not manage; add this rule where the group is managed")]
    ImportedSecurityGroup {
        /// The group: `security group 'name' (sg-...)`.
        group: String,
        /// The refused call, with its arguments.
        call: String,
    },
    // ---- services: IAM, ECS, ELBv2, storage, data ----
    /// An IAM action that is not `service:Name`, or a wildcard not asked for explicitly.
    #[error("invalid IAM action `{action}`: {reason}")]
    InvalidAction {
        /// The action as given.
        action: String,
        /// What is wrong and what to do.
        reason: &'static str,
    },
    /// A policy statement the policy language or this crate's rules refuse.
    #[error("invalid IAM policy statement: {reason}")]
    InvalidStatement {
        /// What is wrong and what to do.
        reason: String,
    },
    /// A role name IAM refuses.
    #[error("invalid IAM role name `{name}`: {reason}")]
    InvalidRoleName {
        /// The name as given.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A role's inline policies exceed IAM's aggregate size limit.
    #[error(
        "the inline policies of role {role} total about {size} characters, over IAM's limit of \
         {limit} for a role's inline policies: split the grants, e.g. move some into a managed \
         policy (iam::ManagedPolicy) attached to the role, or grant on fewer, broader-named \
         resources (a path prefix instead of each parameter)"
    )]
    InlinePolicyTooLarge {
        /// The role's construct path or name.
        role: String,
        /// Estimated characters (JSON without whitespace).
        size: usize,
        /// IAM's limit.
        limit: usize,
    },
    /// A cpu / memory pair Fargate does not offer.
    #[error("cpu {cpu} with memory {memory} MiB is {}", FARGATE_SIZE_HELP)]
    InvalidFargateSize {
        /// CPU units.
        cpu: u32,
        /// Memory in MiB.
        memory: u32,
    },
    /// Two listener rules with the same priority.
    #[error(
        "listener rule priority {priority} is used by both `{first}` and `{second}`: give one of \
         them another priority, or leave it out to have one allocated"
    )]
    ListenerPriorityClash {
        /// The priority.
        priority: u16,
        /// The rule that had it first.
        first: String,
        /// The rule that asked for it again.
        second: String,
    },
    /// A listener rule priority outside 1..=50000.
    #[error("listener rule `{rule}`: priority {priority} is outside 1..=50000")]
    ListenerPriorityOutOfRange {
        /// The rule.
        rule: String,
        /// The priority.
        priority: u16,
    },
    /// Two listener rules with the same conditions (the second could never match).
    #[error(
        "listener rules `{first}` and `{second}` both match {conditions}: the second would never \
         receive traffic; give it another path or host"
    )]
    DuplicateRoute {
        /// The conditions.
        conditions: String,
        /// The first rule.
        first: String,
        /// The second rule.
        second: String,
    },
    /// A route without a path or host condition.
    #[error("listener rule `{rule}` has neither a path nor a host condition: add one")]
    EmptyRoute {
        /// The rule.
        rule: String,
    },
    /// A service placed outside its VPC's private subnets.
    #[error(
        "service `{service}` would run in the {tier} subnets: services run in the VPC's private \
         subnets (no public IP, behind the load balancer); remove the subnet choice or pick the \
         private tier"
    )]
    ServiceNotInPrivateSubnets {
        /// The service.
        service: String,
        /// The tier that was chosen.
        tier: String,
    },
    /// A load balancer with public subnets in fewer than two availability zones.
    #[error(
        "an application load balancer needs public subnets in at least two availability zones; \
         the VPC has {azs}: build it with two or more AZs"
    )]
    LoadBalancerNeedsTwoAzs {
        /// How many the VPC has.
        azs: usize,
    },
    /// Data-tier resources need isolated subnets.
    #[error(
        "{what} runs in the VPC's isolated subnets, and this VPC has none: add an isolated tier \
         to the VPC"
    )]
    NoIsolatedSubnets {
        /// The construct.
        what: String,
    },
    // ---- settings and names of the service constructs, grouped by what they check ----
    /// A numeric setting outside what the service accepts.
    #[error("{construct}: {setting} {value} is outside {allowed}")]
    OutOfRange {
        /// The construct (`PostgresDatabase`, `Queue`, ...).
        construct: &'static str,
        /// The builder setting.
        setting: &'static str,
        /// The value given.
        value: i64,
        /// What is accepted, and why where it is not obvious.
        allowed: &'static str,
    },
    /// Two settings that contradict each other.
    #[error("{construct}: {problem}")]
    Conflict {
        /// The construct, with its name where it has one.
        construct: String,
        /// Which settings clash and what to change.
        problem: String,
    },
    /// A name (database, user, container, key attribute, parameter path, service) the service
    /// would refuse.
    #[error("{construct}: {what} `{name}` is not valid: {rule}")]
    InvalidName {
        /// The construct.
        construct: &'static str,
        /// What the name names (`database user`, `container name`, ...).
        what: &'static str,
        /// The name given.
        name: String,
        /// What a valid name looks like.
        rule: &'static str,
    },
    /// A subnet group (RDS, ElastiCache) that would span fewer than two AZs.
    #[error("{what}: its subnet group needs isolated subnets in at least two AZs; build the VPC with two or more AZs")]
    SubnetGroupNeedsTwoAzs {
        /// The construct.
        what: &'static str,
    },
    /// Access logs sent to a bucket that cannot receive them, or to the bucket itself.
    #[error("{what}: {problem}")]
    AccessLogs {
        /// Whose logs (`Bucket`, `load balancer`).
        what: &'static str,
        /// What is wrong and what to change.
        problem: String,
    },
    /// A listener rule condition ALB would refuse.
    #[error("route to service `{service}`: {problem}")]
    InvalidRoute {
        /// The service routed to.
        service: String,
        /// What is wrong and what to change.
        problem: String,
    },
    /// A service routed to that has no container port.
    #[error("route to service `{service}`: the service has no container with a port; add .port(...) to a container")]
    ServiceWithoutPort {
        /// The service.
        service: String,
    },
    /// A grant to a service's execution role when that role is shared.
    #[error("EcsService `{service}`: its execution role is shared; grant to the SharedExecutionRole itself (`shared.grant(...)`), before or after building the services")]
    SharedExecutionRole {
        /// The service.
        service: String,
    },
    /// A schedule expression EventBridge would refuse.
    #[error("invalid schedule `{expression}`: {reason}")]
    InvalidSchedule {
        /// The expression as it would be written.
        expression: String,
        /// What is wrong and what to change.
        reason: String,
    },
    /// A function's code cannot be used: a missing asset path, an unknown workspace package,
    /// inline code that is empty or over CloudFormation's limit.
    #[error("Function code: {problem}")]
    InvalidCode {
        /// What is wrong and what to change.
        problem: String,
    },
    /// A container image that cannot be made: an unknown Cargo package, a package without a
    /// binary, a missing tarball or build context, a bad repository tag.
    #[error("container image: {problem}")]
    InvalidImage {
        /// What is wrong and what to change.
        problem: String,
    },
    // ---- end of services section ----
    /// A value looked up in the account (a VPC, an AMI, a parameter, a hosted zone) cannot be
    /// used: the stack has no environment, the query is empty, the stored answer is malformed.
    #[error(transparent)]
    Lookup(#[from] rcdk_core::context::LookupError),
}

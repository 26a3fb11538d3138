//! Who Elastic Load Balancing writes access logs as, per region: in regions available before
//! August 2022 a regional ELB account, in newer ones the log delivery service principal. One
//! template serves every region: a mapping from region to account and a condition on whether
//! the stack's region is an older one choose the principal at deployment.

use rcdk_core::kind::Cond;
use rcdk_core::{fns, Condition, Mapping, Val, Value};

use crate::iam::Principal;

/// The service principal of ELB log delivery in regions available since August 2022.
pub(crate) const LOG_DELIVERY_PRINCIPAL: &str = "logdelivery.elasticloadbalancing.amazonaws.com";

/// The second-level key of the mapping.
pub(crate) const ACCOUNT_KEY: &str = "AccountId";

/// The ELB account per region available before August 2022 (ELB user guide, "Enable access
/// logs for your Application Load Balancer", step 2: attach a policy to your S3 bucket).
pub(crate) const ELB_ACCOUNTS: &[(&str, &str)] = &[
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-southeast-3", "589379963580"),
    ("ap-south-1", "718504428378"),
    ("ap-northeast-3", "383597477331"),
    ("ap-northeast-2", "600734575887"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-northeast-1", "582318560864"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-south-1", "635631232127"),
    ("eu-west-3", "009996457667"),
    ("eu-north-1", "897822967062"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-gov-west-1", "048591011584"),
    ("us-gov-east-1", "190560391635"),
    ("cn-north-1", "638102146993"),
    ("cn-northwest-1", "037604701340"),
];

/// `Fn::Or` takes 2 to 10 conditions.
const OR_MAX: usize = 10;

/// The mapping region -> `AccountId` -> ELB account, and the condition "the stack's region is
/// in it".
#[derive(Debug, Clone)]
pub(crate) struct ElbLogDelivery {
    pub(crate) accounts: Mapping,
    pub(crate) older_region: Condition,
}

impl ElbLogDelivery {
    pub(crate) fn new() -> ElbLogDelivery {
        let accounts = ELB_ACCOUNTS
            .iter()
            .fold(Mapping::new(), |m, (region, account)| {
                m.entry(region, ACCOUNT_KEY, Value::str(*account))
            });
        ElbLogDelivery {
            accounts,
            older_region: Condition::new(region_in(ELB_ACCOUNTS)),
        }
    }

    /// The principal ELB writes logs as in the stack's region.
    pub(crate) fn principal(&self) -> Principal {
        let account: Val<String> = self.accounts.find(fns::region(), ACCOUNT_KEY);
        let root = fns::sub(
            "arn:${AWS::Partition}:iam::${ElbAccount}:root",
            [("ElbAccount", account)],
        );
        Principal::either(
            &self.older_region,
            Principal::Aws(root),
            Principal::Service(LOG_DELIVERY_PRINCIPAL.to_string()),
        )
    }
}

/// "The stack's region is one of `regions`": `Fn::Or` of `Fn::Equals`, nested in groups of at
/// most ten.
fn region_in(regions: &[(&str, &str)]) -> Val<Cond> {
    let mut terms: Vec<Val<Cond>> = regions
        .iter()
        .map(|(region, _)| fns::equals::<String>(fns::region(), *region))
        .collect();
    while terms.len() > OR_MAX {
        terms = terms
            .chunks(OR_MAX)
            .map(|group| match group {
                [one] => one.clone(),
                _ => fns::or(group.to_vec()),
            })
            .collect();
    }
    match terms.len() {
        1 => terms.remove(0),
        _ => fns::or(terms),
    }
}

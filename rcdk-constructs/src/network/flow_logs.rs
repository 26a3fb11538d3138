//! VPC flow logs to a CloudWatch Logs group (a [`LogGroup`]: encrypted with the stack's key, a
//! retention always set), delivered through a role whose policy is limited to that log group.

use indexmap::IndexMap;
use rcdk_core::kind::{Json, LogGroupName, VpcId};
use rcdk_core::{fns, Val, Value};
use rcdk_macros::Construct;

use crate::cfn::{ec2, iam};
use crate::error::ConstructError;
use crate::storage::{ILogGroup, LogGroup, LogRetention};

/// The retentions CloudWatch Logs offers, in days.
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Which traffic is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlowLogTraffic {
    /// Accepted and rejected traffic (the default).
    #[default]
    All,
    /// Accepted traffic only.
    Accept,
    /// Rejected traffic only: the cheapest way to see what the security groups and ACLs block.
    Reject,
}

/// Flow log settings for [`TieredVpcBuilder::flow_logs`](crate::network::TieredVpcBuilder::flow_logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowLogOptions {
    /// Days the log group keeps records (one of [`RETENTION_DAYS`]); less than a year is
    /// recorded as a deliberate exception to the one-year retention control.
    pub retention_days: u32,
    /// Which traffic is logged.
    pub traffic: FlowLogTraffic,
}

impl Default for FlowLogOptions {
    /// All traffic, kept a year.
    fn default() -> Self {
        FlowLogOptions {
            retention_days: 365,
            traffic: FlowLogTraffic::All,
        }
    }
}

/// A VPC flow log with its log group and delivery role.
#[derive(Debug, Clone, Construct)]
pub struct FlowLogs {
    log_group: LogGroup,
    role: iam::Role,
    resource: ec2::FlowLog,
}

fn json(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<IndexMap<_, _>>(),
    )
}

impl FlowLogs {
    /// Flow logs of `vpc`.
    pub(crate) fn new(
        vpc: Val<VpcId>,
        options: FlowLogOptions,
    ) -> Result<FlowLogs, ConstructError> {
        let log_group = LogGroup::new().retention(LogRetention::days(options.retention_days)?);
        let trust = json(vec![
            ("Version", Value::str("2012-10-17")),
            (
                "Statement",
                Value::List(vec![json(vec![
                    ("Effect", Value::str("Allow")),
                    (
                        "Principal",
                        json(vec![("Service", Value::str("vpc-flow-logs.amazonaws.com"))]),
                    ),
                    ("Action", Value::str("sts:AssumeRole")),
                    (
                        "Condition",
                        json(vec![(
                            "StringEquals",
                            json(vec![("aws:SourceAccount", fns::account_id().into())]),
                        )]),
                    ),
                ])]),
            ),
        ]);
        // Only what delivery needs, only on this log group (its ARN ends in `:*`, which covers
        // the group's streams).
        let delivery = json(vec![
            ("Version", Value::str("2012-10-17")),
            (
                "Statement",
                Value::List(vec![json(vec![
                    ("Effect", Value::str("Allow")),
                    (
                        "Action",
                        Value::List(vec![
                            Value::str("logs:CreateLogStream"),
                            Value::str("logs:PutLogEvents"),
                            Value::str("logs:DescribeLogStreams"),
                        ]),
                    ),
                    ("Resource", log_group.log_group_arn().into()),
                ])]),
            ),
        ]);
        let role = iam::Role::new(Val::<Json>::from(trust))
            .description("Delivers this VPC's flow logs to its log group")
            .policies(vec![iam::role::Policy::new(
                "FlowLogDelivery",
                Val::<Json>::from(delivery),
            )]);
        let traffic = match options.traffic {
            FlowLogTraffic::All => ec2::flow_log::TrafficType::All,
            FlowLogTraffic::Accept => ec2::flow_log::TrafficType::Accept,
            FlowLogTraffic::Reject => ec2::flow_log::TrafficType::Reject,
        };
        let resource = ec2::FlowLog::new(ec2::flow_log::ResourceType::Vpc, vpc)
            .traffic_type(traffic)
            .log_destination_type(ec2::flow_log::LogDestinationType::CloudWatchLogs)
            .log_group_name(log_group.log_group_name())
            .deliver_logs_permission_arn(role.attr_arn());
        Ok(FlowLogs {
            log_group,
            role,
            resource,
        })
    }

    /// The log group's name.
    pub fn log_group_name(&self) -> Val<LogGroupName> {
        self.log_group.log_group_name()
    }
}

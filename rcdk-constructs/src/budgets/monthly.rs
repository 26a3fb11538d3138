//! The monthly cost budget and its notifications.

use rcdk_core::kind::TopicArn;
use rcdk_core::{Resource, Val};
use rcdk_macros::Construct;

use super::topic::BudgetTopic;
use crate::cfn::budgets as cfn;
use crate::cfn::budgets::budget as b;
use crate::error::ConstructError;

/// Most notifications AWS Budgets takes per budget.
pub const MAX_NOTIFICATIONS: usize = 5;
/// Most email subscribers AWS Budgets takes per notification.
pub const MAX_EMAILS: usize = 10;
/// The highest threshold this construct accepts, in percent of the budget.
pub const MAX_THRESHOLD_PERCENT: u32 = 1_000;

/// An amount in US dollars, kept in cents so that no rounding creeps in.
///
/// ```
/// use rcdk_constructs::budgets::Usd;
/// assert_eq!(Usd::dollars(200).to_string(), "200.00 USD");
/// assert_eq!(Usd::cents(1_050).to_string(), "10.50 USD");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd {
    cents: u64,
}

impl Usd {
    /// Whole dollars.
    pub const fn dollars(dollars: u64) -> Usd {
        Usd {
            cents: dollars.saturating_mul(100),
        }
    }

    /// Cents.
    pub const fn cents(cents: u64) -> Usd {
        Usd { cents }
    }

    /// The amount in cents.
    pub fn as_cents(self) -> u64 {
        self.cents
    }

    fn as_f64(self) -> f64 {
        // Budgets takes a decimal number of dollars; cents are exact in an f64 far beyond
        // any budget.
        self.cents as f64 / 100.0
    }
}

impl std::fmt::Display for Usd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02} USD", self.cents / 100, self.cents % 100)
    }
}

/// Which spend a notification watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spend {
    /// What has been charged so far this month (`ACTUAL`).
    Actual,
    /// What AWS forecasts for the whole month (`FORECASTED`): an early warning.
    Forecasted,
}

impl Spend {
    fn as_str(self) -> &'static str {
        match self {
            Spend::Actual => "ACTUAL",
            Spend::Forecasted => "FORECASTED",
        }
    }
}

/// Where the alerts go besides email.
#[derive(Debug, Clone)]
enum TopicChoice {
    None,
    New(Box<BudgetTopic>),
    Existing(Val<TopicArn>),
}

/// Builder of a [`MonthlyBudget`]; see [`MonthlyBudget::builder`].
#[derive(Debug, Clone)]
pub struct MonthlyBudgetBuilder {
    limit: Usd,
    name: Option<String>,
    alerts: Vec<(Spend, u32)>,
    emails: Vec<String>,
    topic: TopicChoice,
}

impl MonthlyBudgetBuilder {
    /// A fixed budget name (1-100 characters, no `:` or `\`), unique in the account; otherwise
    /// CloudFormation generates one.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// A notification when `spend` passes `percent` of the budget (1-1000).
    pub fn alert(mut self, spend: Spend, percent: u32) -> Self {
        self.alerts.push((spend, percent));
        self
    }

    /// Sends every notification to `address` (at most 10 addresses).
    pub fn email(mut self, address: &str) -> Self {
        self.emails.push(address.to_string());
        self
    }

    /// Sends every notification to a new SNS topic of this budget (child `Topic`, see
    /// [`BudgetTopic`]), e.g. to reach chat or paging tools.
    pub fn new_topic(mut self) -> Self {
        self.topic = TopicChoice::New(Box::default());
        self
    }

    /// Sends every notification to `topic` (a [`BudgetTopic`] made with a customer key, for
    /// instance), which the budget then holds.
    pub fn topic(mut self, topic: BudgetTopic) -> Self {
        self.topic = TopicChoice::New(Box::new(topic));
        self
    }

    /// Sends every notification to a topic made elsewhere, by ARN. Its policy must let
    /// `budgets.amazonaws.com` publish (as [`BudgetTopic`]'s does); Budgets refuses the budget
    /// otherwise.
    pub fn existing_topic(mut self, arn: impl Into<Val<TopicArn>>) -> Self {
        self.topic = TopicChoice::Existing(arn.into());
        self
    }

    /// Builds the budget.
    pub fn build(self) -> Result<MonthlyBudget, ConstructError> {
        let construct = match &self.name {
            Some(name) => format!("MonthlyBudget `{name}`"),
            None => format!("MonthlyBudget of {}", self.limit),
        };
        let conflict = |problem: String| ConstructError::Conflict {
            construct: construct.clone(),
            problem,
        };
        if self.limit.cents == 0 {
            return Err(conflict(
                "the budget is 0 USD: every charge would alert; give the monthly amount you \
                 expect to spend"
                    .into(),
            ));
        }
        if let Some(name) = &self.name {
            let ok = !name.is_empty()
                && name.chars().count() <= 100
                && !name.contains([':', '\\'])
                && !name.chars().any(char::is_control);
            if !ok {
                return Err(ConstructError::InvalidName {
                    construct: "MonthlyBudget",
                    what: "budget name",
                    name: name.clone(),
                    rule: "it must be 1-100 characters without `:` or `\\`",
                });
            }
        }
        if self.alerts.is_empty() {
            return Err(conflict(
                "it has no alert, so nobody would hear of it: add e.g. \
                 .alert(Spend::Actual, 80) and .alert(Spend::Forecasted, 100)"
                    .into(),
            ));
        }
        if self.alerts.len() > MAX_NOTIFICATIONS {
            return Err(conflict(format!(
                "it has {} alerts, and AWS Budgets takes at most {MAX_NOTIFICATIONS} per budget: \
                 drop some, or make a second budget",
                self.alerts.len()
            )));
        }
        for (i, (spend, percent)) in self.alerts.iter().enumerate() {
            if *percent == 0 || *percent > MAX_THRESHOLD_PERCENT {
                return Err(ConstructError::OutOfRange {
                    construct: "MonthlyBudget",
                    setting: "alert threshold (%)",
                    value: i64::from(*percent),
                    allowed: "1-1000 percent of the budget",
                });
            }
            if self.alerts[..i].contains(&(*spend, *percent)) {
                return Err(conflict(format!(
                    "the {} alert at {percent}% is given twice: give it once",
                    spend.as_str()
                )));
            }
        }
        if self.emails.is_empty() && matches!(self.topic, TopicChoice::None) {
            return Err(conflict(
                "the alerts go nowhere: add .email(..), .new_topic() or .existing_topic(..)".into(),
            ));
        }
        if self.emails.len() > MAX_EMAILS {
            return Err(conflict(format!(
                "{} email addresses, and AWS Budgets takes at most {MAX_EMAILS}: send to a \
                 topic or a mailing list instead",
                self.emails.len()
            )));
        }
        for (i, email) in self.emails.iter().enumerate() {
            let shaped = match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains('@')
                        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                }
                None => false,
            };
            if !shaped {
                return Err(ConstructError::InvalidName {
                    construct: "MonthlyBudget",
                    what: "email address",
                    name: email.clone(),
                    rule: "it must look like name@example.com",
                });
            }
            if self.emails[..i].contains(email) {
                return Err(conflict(format!(
                    "email {email} is given twice: give it once"
                )));
            }
        }

        let (topic, topic_arn) = match self.topic {
            TopicChoice::None => (None, None),
            TopicChoice::New(topic) => {
                let arn = topic.topic_arn();
                (Some(*topic), Some(arn))
            }
            TopicChoice::Existing(arn) => (None, Some(arn)),
        };
        let mut subscribers: Vec<b::Subscriber> = self
            .emails
            .iter()
            .map(|e| b::Subscriber::new("EMAIL", e.as_str()))
            .collect();
        if let Some(arn) = &topic_arn {
            subscribers.push(b::Subscriber::new("SNS", arn.clone()));
        }
        let notifications: Vec<b::NotificationWithSubscribers> = self
            .alerts
            .iter()
            .map(|(spend, percent)| {
                b::NotificationWithSubscribers::new(
                    subscribers.clone(),
                    b::Notification::new("GREATER_THAN", spend.as_str(), f64::from(*percent))
                        .threshold_type("PERCENTAGE"),
                )
            })
            .collect();
        let mut data = b::BudgetData::new("MONTHLY", "COST")
            .budget_limit(b::Spend::new(self.limit.as_f64(), "USD"));
        if let Some(name) = &self.name {
            data.set_budget_name(name.as_str());
        }
        let mut resource = cfn::Budget::new(data).notifications_with_subscribers(notifications);
        if let Some(topic) = &topic {
            // Budgets checks that it may publish when the notification is created.
            resource.core_mut().add_dependency(topic.policy_node());
        }
        Ok(MonthlyBudget {
            topic,
            resource,
            limit: self.limit,
            alerts: self.alerts,
        })
    }
}

/// A monthly cost budget in USD (`AWS::Budgets::Budget`, child `Resource`) with notifications
/// at percentages of it, and, when asked for, its alert topic (child `Topic`).
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "budgets::MonthlyBudget")]
pub struct MonthlyBudget {
    topic: Option<BudgetTopic>,
    resource: cfn::Budget,
    #[construct(skip)]
    limit: Usd,
    #[construct(skip)]
    alerts: Vec<(Spend, u32)>,
}

impl MonthlyBudget {
    /// A budget of `limit` per calendar month, on all costs of the account (unblended,
    /// including tax and support, as AWS Budgets counts by default).
    pub fn builder(limit: Usd) -> MonthlyBudgetBuilder {
        MonthlyBudgetBuilder {
            limit,
            name: None,
            alerts: Vec::new(),
            emails: Vec::new(),
            topic: TopicChoice::None,
        }
    }

    /// The monthly limit.
    pub fn limit(&self) -> Usd {
        self.limit
    }

    /// The alerts, in the order given.
    pub fn alerts(&self) -> &[(Spend, u32)] {
        &self.alerts
    }

    /// The alert topic, when the budget made one.
    pub fn topic(&self) -> Option<&BudgetTopic> {
        self.topic.as_ref()
    }

    /// The budget resource, mutably (cost filters, properties this construct does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::Budget {
        &mut self.resource
    }
}

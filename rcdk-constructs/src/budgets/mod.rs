//! Cost alerts: [`MonthlyBudget`] (`AWS::Budgets::Budget`), a monthly cost budget in USD with
//! notifications at several percentages of it, on actual and forecast spend, to email
//! addresses and/or an SNS topic whose policy lets AWS Budgets of this account publish.
//!
//! ```
//! use rcdk_constructs::budgets::{MonthlyBudget, Spend, Usd};
//! let budget = MonthlyBudget::builder(Usd::dollars(200))
//!     .alert(Spend::Actual, 80)
//!     .alert(Spend::Actual, 100)
//!     .alert(Spend::Forecasted, 100)
//!     .email("billing@example.com")
//!     .new_topic()
//!     .build()?;
//! # let _ = budget;
//! # Ok::<(), rcdk_constructs::error::ConstructError>(())
//! ```

mod monthly;
mod topic;

pub use monthly::{
    MonthlyBudget, MonthlyBudgetBuilder, Spend, Usd, MAX_EMAILS, MAX_NOTIFICATIONS,
    MAX_THRESHOLD_PERCENT,
};
pub use topic::{BudgetTopic, BUDGETS_PRINCIPAL};

//! Billing alerts: a monthly cost budget with notifications at several percentages, on actual
//! and forecast spend, to email and an SNS topic that AWS Budgets of this account may publish
//! to; the settings that are refused; a snapshot; cfn-lint and checkov finding nothing.
//!
//! Snapshots: `INSTA_UPDATE=always cargo test -p rcdk-constructs --test budgets_monthly`
//! after reviewing a deliberate change.

use rcdk_constructs::budgets::{BudgetTopic, MonthlyBudget, Spend, Usd};
use rcdk_core::{App, Assembly, Stack};
use serde_json::{json, Value};

mod support;

fn assembly() -> Assembly {
    let budget = MonthlyBudget::builder(Usd::dollars(250))
        .name("monthly-total")
        .alert(Spend::Actual, 50)
        .alert(Spend::Actual, 80)
        .alert(Spend::Actual, 100)
        .alert(Spend::Forecasted, 100)
        .email("billing@example.com")
        .email("oncall@example.com")
        .new_topic()
        .build()
        .unwrap();
    let mut app = App::new();
    app.add(Stack::new("Billing").with("Budget", budget));
    app.synth().unwrap()
}

fn of_type(template: &Value, ty: &str) -> Vec<(String, Value)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect()
}

#[test]
fn budget_alerts_at_each_threshold_to_email_and_topic() {
    let assembly = assembly();
    let template = assembly.stack("Billing").unwrap().template_json();
    let (topic_id, _) = of_type(&template, "AWS::SNS::Topic").remove(0);
    let (policy_id, _) = of_type(&template, "AWS::SNS::TopicPolicy").remove(0);
    let budgets = of_type(&template, "AWS::Budgets::Budget");
    assert_eq!(budgets.len(), 1);
    let budget = &budgets[0].1;
    assert_eq!(
        budget["Properties"]["Budget"],
        json!({
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
            "BudgetLimit": {"Amount": 250.0, "Unit": "USD"},
            "BudgetName": "monthly-total"
        })
    );
    let notifications = budget["Properties"]["NotificationsWithSubscribers"]
        .as_array()
        .unwrap();
    let seen: Vec<(String, f64)> = notifications
        .iter()
        .map(|n| {
            (
                n["Notification"]["NotificationType"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                n["Notification"]["Threshold"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("ACTUAL".to_string(), 50.0),
            ("ACTUAL".to_string(), 80.0),
            ("ACTUAL".to_string(), 100.0),
            ("FORECASTED".to_string(), 100.0)
        ]
    );
    for n in notifications {
        assert_eq!(n["Notification"]["ComparisonOperator"], "GREATER_THAN");
        assert_eq!(n["Notification"]["ThresholdType"], "PERCENTAGE");
        assert_eq!(
            n["Subscribers"],
            json!([
                {"SubscriptionType": "EMAIL", "Address": "billing@example.com"},
                {"SubscriptionType": "EMAIL", "Address": "oncall@example.com"},
                {"SubscriptionType": "SNS", "Address": {"Ref": topic_id}}
            ])
        );
    }
    assert_eq!(budget["DependsOn"], json!([policy_id]));
}

#[test]
fn topic_policy_admits_budgets_of_this_account_only() {
    let assembly = assembly();
    let template = assembly.stack("Billing").unwrap().template_json();
    let (topic_id, topic) = of_type(&template, "AWS::SNS::Topic").remove(0);
    let (_, policy) = of_type(&template, "AWS::SNS::TopicPolicy").remove(0);
    let statements = &policy["Properties"]["PolicyDocument"]["Statement"];
    assert_eq!(
        statements[0],
        json!({
            "Sid": "AwsBudgetsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "budgets.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": {"Ref": topic_id},
            "Condition": {
                "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                "ArnLike": {"aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:budgets::${AWS::AccountId}:*"}}
            }
        })
    );
    assert_eq!(statements[1]["Effect"], "Deny");
    assert_eq!(
        statements[1]["Condition"]["Bool"]["aws:SecureTransport"],
        "false"
    );
    // Unencrypted unless a customer key is given: checkov's check is skipped with the reason.
    assert_eq!(topic["Metadata"]["checkov"]["skip"][0]["id"], "CKV_AWS_26");
    let keyed = BudgetTopic::new().encryption_key(
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    let budget = MonthlyBudget::builder(Usd::cents(5_050))
        .alert(Spend::Forecasted, 100)
        .topic(keyed)
        .build()
        .unwrap();
    let mut app = App::new();
    app.add(Stack::new("Keyed").with("Budget", budget));
    let assembly = app.synth().unwrap();
    let template = assembly.stack("Keyed").unwrap().template_json();
    let (_, topic) = of_type(&template, "AWS::SNS::Topic").remove(0);
    assert!(topic["Metadata"]["checkov"].is_null(), "{topic}");
    assert!(topic["Properties"]["KmsMasterKeyId"].is_string());
    let (_, budget) = of_type(&template, "AWS::Budgets::Budget").remove(0);
    assert_eq!(
        budget["Properties"]["Budget"]["BudgetLimit"]["Amount"],
        50.5
    );
}

#[test]
fn an_existing_topic_is_referenced_without_a_policy() {
    let budget = MonthlyBudget::builder(Usd::dollars(10))
        .alert(Spend::Actual, 100)
        .existing_topic("arn:aws:sns:us-east-1:123456789012:alerts")
        .build()
        .unwrap();
    let mut app = App::new();
    app.add(Stack::new("Existing").with("Budget", budget));
    let assembly = app.synth().unwrap();
    let template = assembly.stack("Existing").unwrap().template_json();
    assert!(of_type(&template, "AWS::SNS::Topic").is_empty());
    let (_, budget) = of_type(&template, "AWS::Budgets::Budget").remove(0);
    assert_eq!(
        budget["Properties"]["NotificationsWithSubscribers"][0]["Subscribers"],
        json!([{"SubscriptionType": "SNS", "Address": "arn:aws:sns:us-east-1:123456789012:alerts"}])
    );
}

#[test]
fn bad_budgets_are_refused_with_what_to_change() {
    let base = || MonthlyBudget::builder(Usd::dollars(100)).email("a@example.com");
    let err =
        |b: rcdk_constructs::budgets::MonthlyBudgetBuilder| b.build().unwrap_err().to_string();
    let e = err(base());
    assert!(
        e.contains("MonthlyBudget of 100.00 USD") && e.contains("no alert"),
        "{e}"
    );
    assert!(
        err(MonthlyBudget::builder(Usd::dollars(0)).alert(Spend::Actual, 80)).contains("0 USD")
    );
    let e = err(MonthlyBudget::builder(Usd::dollars(5)).alert(Spend::Actual, 80));
    assert!(e.contains("go nowhere"), "{e}");
    assert!(err(base().alert(Spend::Actual, 0)).contains("1-1000"));
    assert!(err(base().alert(Spend::Actual, 1001)).contains("1-1000"));
    let e = err(base().alert(Spend::Actual, 80).alert(Spend::Actual, 80));
    assert!(e.contains("given twice"), "{e}");
    let mut six = base();
    for p in [10, 20, 30, 40, 50, 60] {
        six = six.alert(Spend::Actual, p);
    }
    assert!(err(six).contains("at most 5"));
    for bad in ["nobody", "a@b", "a b@example.com", "@example.com", "a@.com"] {
        let e = err(MonthlyBudget::builder(Usd::dollars(5))
            .alert(Spend::Actual, 80)
            .email(bad));
        assert!(e.contains("email address"), "{bad}: {e}");
    }
    let e = err(base().alert(Spend::Actual, 80).name("a:b"));
    assert!(e.contains("budget name"), "{e}");
    let mut many = MonthlyBudget::builder(Usd::dollars(5)).alert(Spend::Actual, 80);
    for i in 0..11 {
        many = many.email(&format!("p{i}@example.com"));
    }
    assert!(err(many).contains("at most 10"));
    // The same threshold on actual and forecast spend is two alerts.
    assert!(base()
        .alert(Spend::Actual, 100)
        .alert(Spend::Forecasted, 100)
        .build()
        .is_ok());
}

#[test]
fn template_snapshot() {
    insta::assert_json_snapshot!(
        "budgets_monthly",
        assembly().stack("Billing").unwrap().template_json()
    );
}

#[test]
fn cfn_lint_and_checkov_find_nothing() {
    let assembly = assembly();
    support::assert_lint_clean(&assembly);
}

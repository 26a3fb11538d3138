//! EventBridge schedule expressions, checked when made: `rate(..)` from a typed unit and
//! `cron(..)` with EventBridge's six fields.

use crate::error::ConstructError;

/// The unit of a [`Schedule::rate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
}

/// When an EventBridge rule fires: a valid `rate(...)` or `cron(...)` expression (times are
/// UTC).
///
/// ```
/// use rcdk_constructs::lambda::{RateUnit, Schedule};
/// assert_eq!(Schedule::rate(1, RateUnit::Hours)?.expression(), "rate(1 hour)");
/// assert_eq!(Schedule::daily_at(2, 30)?.expression(), "cron(30 2 * * ? *)");
/// assert_eq!(Schedule::cron("0 3 ? * MON-FRI *")?.expression(), "cron(0 3 ? * MON-FRI *)");
/// assert!(Schedule::cron("0 3 * * * *").is_err()); // day-of-month and day-of-week both set
/// assert!(Schedule::rate(0, RateUnit::Minutes).is_err());
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(String);

impl Schedule {
    /// Every `value` `unit`s (`rate(5 minutes)`, `rate(1 day)`); `value` must be 1 or more.
    pub fn rate(value: u32, unit: RateUnit) -> Result<Schedule, ConstructError> {
        if value == 0 {
            return Err(invalid(
                &format!("rate(0 {unit:?})").to_lowercase(),
                "a rate must be 1 or more",
            ));
        }
        let name = match unit {
            RateUnit::Minutes => "minute",
            RateUnit::Hours => "hour",
            RateUnit::Days => "day",
        };
        let plural = if value == 1 { "" } else { "s" };
        Ok(Schedule(format!("rate({value} {name}{plural})")))
    }

    /// Every day at `hour:minute` UTC.
    pub fn daily_at(hour: u8, minute: u8) -> Result<Schedule, ConstructError> {
        Schedule::cron(&format!("{minute} {hour} * * ? *"))
    }

    /// A cron expression of EventBridge's six fields, `minutes hours day-of-month month
    /// day-of-week year` (without the `cron(` `)` around them). Exactly one of day-of-month
    /// and day-of-week is `?`. Checked: the field count, each field's values and ranges
    /// (months `1-12` or `JAN`-`DEC`, weekdays `1-7` or `SUN`-`SAT`, years 1970-2199), `*`,
    /// `,`, `-`, `/` and the `L`, `W`, `#` forms where EventBridge accepts them.
    pub fn cron(fields: &str) -> Result<Schedule, ConstructError> {
        let text = fields.trim();
        let expression = format!("cron({text})");
        let parts: Vec<&str> = text.split_whitespace().collect();
        if parts.len() != 6 {
            return Err(invalid(
                &expression,
                &format!(
                    "EventBridge cron has 6 fields (minutes hours day-of-month month day-of-week \
                     year), this has {}",
                    parts.len()
                ),
            ));
        }
        let specs = [
            Field::new("minutes", 0, 59),
            Field::new("hours", 0, 23),
            Field::new("day-of-month", 1, 31),
            Field::new("month", 1, 12).names(&MONTHS),
            Field::new("day-of-week", 1, 7).names(&WEEKDAYS),
            Field::new("year", 1970, 2199),
        ];
        for (i, (part, spec)) in parts.iter().zip(specs.iter()).enumerate() {
            check_field(part, spec, i).map_err(|reason| invalid(&expression, &reason))?;
        }
        match (parts[2] == "?", parts[4] == "?") {
            (true, false) | (false, true) => {}
            _ => {
                return Err(invalid(
                    &expression,
                    "exactly one of day-of-month and day-of-week must be `?` (e.g. `0 2 * * ? *` \
                     for every day at 02:00)",
                ))
            }
        }
        Ok(Schedule(expression))
    }

    /// The expression, as the rule's `ScheduleExpression`.
    pub fn expression(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn invalid(expression: &str, reason: &str) -> ConstructError {
    ConstructError::InvalidSchedule {
        expression: expression.to_string(),
        reason: reason.to_string(),
    }
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

impl Field {
    const fn new(name: &'static str, min: u32, max: u32) -> Field {
        Field {
            name,
            min,
            max,
            names: &[],
        }
    }

    const fn names(mut self, names: &'static [&'static str]) -> Field {
        self.names = names;
        self
    }

    fn value(&self, text: &str) -> Result<u32, String> {
        if let Some(i) = self.names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
            return Ok(self.min + i as u32);
        }
        let n: u32 = text.parse().map_err(|_| {
            format!(
                "{} field: `{text}` is not a number{}",
                self.name,
                if self.names.is_empty() {
                    String::new()
                } else {
                    format!(" or one of {}", self.names.join(", "))
                }
            )
        })?;
        if !(self.min..=self.max).contains(&n) {
            return Err(format!(
                "{} field: {n} is outside {}-{}",
                self.name, self.min, self.max
            ));
        }
        Ok(n)
    }
}

/// Checks one field; `index` 2 is day-of-month and 4 day-of-week (their extra forms).
fn check_field(text: &str, spec: &Field, index: usize) -> Result<(), String> {
    if text == "?" {
        return if index == 2 || index == 4 {
            Ok(())
        } else {
            Err(format!(
                "{} field: `?` is for day-of-month or day-of-week only",
                spec.name
            ))
        };
    }
    for element in text.split(',') {
        if element.is_empty() {
            return Err(format!(
                "{} field: empty list element in `{text}`",
                spec.name
            ));
        }
        // Day-of-month: L (last day), LW, nW (nearest weekday). Day-of-week: L, nL, n#k.
        if index == 2 && (element == "L" || element == "LW") {
            continue;
        }
        if index == 2 {
            if let Some(day) = element.strip_suffix('W') {
                spec.value(day)?;
                continue;
            }
        }
        if index == 4 {
            if element == "L" {
                continue;
            }
            if let Some(day) = element.strip_suffix('L') {
                spec.value(day)?;
                continue;
            }
            if let Some((day, nth)) = element.split_once('#') {
                spec.value(day)?;
                match nth.parse::<u32>() {
                    Ok(1..=5) => continue,
                    _ => {
                        return Err(format!(
                            "{} field: `#{nth}` must be #1 to #5 (the nth weekday of the month)",
                            spec.name
                        ))
                    }
                }
            }
        }
        let (range, step) = match element.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (element, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(s) if s >= 1 => {}
                _ => {
                    return Err(format!(
                        "{} field: the step after `/` in `{element}` must be a number of 1 or more",
                        spec.name
                    ))
                }
            }
        }
        if range == "*" {
            continue;
        }
        match range.split_once('-') {
            Some((from, to)) => {
                spec.value(from)?;
                spec.value(to)?;
            }
            None => {
                spec.value(range)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_name_their_unit() {
        assert_eq!(
            Schedule::rate(5, RateUnit::Minutes).unwrap().expression(),
            "rate(5 minutes)"
        );
        assert_eq!(
            Schedule::rate(1, RateUnit::Days).unwrap().expression(),
            "rate(1 day)"
        );
        let e = Schedule::rate(0, RateUnit::Hours).unwrap_err();
        assert!(e.to_string().contains("1 or more"), "{e}");
    }

    #[test]
    fn valid_crons_are_kept() {
        for fields in [
            "0 2 * * ? *",
            "15 10 ? * 6L 2026-2030",
            "0/15 * * * ? *",
            "0 18 ? * MON-FRI *",
            "0 8 1,15 JAN-MAR ? *",
            "0 9 ? * 2#1 *",
            "0 0 L * ? *",
            "0 0 15W * ? *",
        ] {
            let s = Schedule::cron(fields).unwrap_or_else(|e| panic!("{fields}: {e}"));
            assert_eq!(s.expression(), format!("cron({fields})"));
        }
    }

    #[test]
    fn invalid_crons_are_refused_with_the_reason() {
        for (fields, reason) in [
            ("0 2 * * *", "6 fields"),
            ("0 2 * * * *", "exactly one of day-of-month and day-of-week"),
            ("0 2 ? * ? *", "exactly one of day-of-month and day-of-week"),
            ("60 2 * * ? *", "minutes field: 60 is outside 0-59"),
            ("0 24 * * ? *", "hours field: 24 is outside 0-23"),
            ("0 2 * 13 ? *", "month field: 13 is outside 1-12"),
            (
                "0 2 ? * FUNDAY *",
                "day-of-week field: `FUNDAY` is not a number",
            ),
            ("0 2 * * ? 1969", "year field: 1969 is outside 1970-2199"),
            ("0/0 2 * * ? *", "step after `/`"),
            ("? 2 * * * *", "`?` is for day-of-month or day-of-week only"),
            ("0 2 ? * 2#6 *", "#1 to #5"),
        ] {
            let e = Schedule::cron(fields).unwrap_err().to_string();
            assert!(e.contains(reason), "{fields}: {e}");
            assert!(e.contains(&format!("cron({fields})")), "{e}");
        }
    }

    #[test]
    fn daily_checks_the_time() {
        assert_eq!(
            Schedule::daily_at(2, 0).unwrap().expression(),
            "cron(0 2 * * ? *)"
        );
        assert!(Schedule::daily_at(24, 0).is_err());
        assert!(Schedule::daily_at(1, 60).is_err());
    }
}

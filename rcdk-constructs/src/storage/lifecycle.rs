//! Typed S3 lifecycle rules: transitions to cheaper storage classes, expiry, noncurrent
//! versions and incomplete multipart uploads, checked against S3's rules before anything is
//! written (a transition to an infrequent-access class before 30 days, classes out of S3's
//! order, an expiry at or before the last transition are errors).

use crate::cfn::s3::bucket as cfn;
use crate::error::ConstructError;

/// Most rules S3 takes in one lifecycle configuration.
pub const MAX_LIFECYCLE_RULES: usize = 1_000;

/// Days an object must have been stored before it may move to S3 Standard-IA or One Zone-IA,
/// and the days it must stay there before moving on.
pub const INFREQUENT_ACCESS_MIN_DAYS: u32 = 30;

/// Id of the default rule that aborts incomplete multipart uploads (see
/// [`Bucket::no_default_lifecycle_rules`](super::Bucket::no_default_lifecycle_rules)).
pub const DEFAULT_ABORT_MULTIPART_RULE: &str = "AbortIncompleteMultipartUploads";

/// Days after which the default rule aborts a multipart upload still incomplete: its parts are
/// billed until then, and an upload that has not finished in a week has been abandoned.
pub const ABORT_INCOMPLETE_MULTIPART_DAYS: u32 = 7;

/// Id of the default rule that deletes noncurrent versions, on versioned buckets.
pub const DEFAULT_NONCURRENT_RULE: &str = "ExpireNoncurrentVersions";

/// Days after becoming noncurrent (overwritten or deleted) that the default rule deletes a
/// version: a quarter to notice and undo a mistake, without paying for every old version
/// forever.
pub const NONCURRENT_VERSION_DAYS: u32 = 90;

/// The rules every bucket has unless turned off: abort incomplete multipart uploads and, on a
/// versioned bucket, delete noncurrent versions.
pub(crate) fn default_rules(versioned: bool) -> Vec<LifecycleRule> {
    let mut rules = vec![LifecycleRule::new(DEFAULT_ABORT_MULTIPART_RULE)
        .abort_incomplete_multipart_uploads(ABORT_INCOMPLETE_MULTIPART_DAYS)];
    if versioned {
        rules.push(
            LifecycleRule::new(DEFAULT_NONCURRENT_RULE).expire_noncurrent(NONCURRENT_VERSION_DAYS),
        );
    }
    rules
}

/// A storage class objects can move to, in the order S3 allows transitions ("waterfall"): a
/// rule moves objects down this list only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StorageClass {
    /// `STANDARD_IA`: infrequent access, 30 days minimum before and in it.
    StandardIa,
    /// `INTELLIGENT_TIERING`.
    IntelligentTiering,
    /// `ONEZONE_IA`: infrequent access in one AZ, 30 days minimum before and in it.
    OneZoneIa,
    /// `GLACIER_IR`: Glacier Instant Retrieval.
    GlacierInstantRetrieval,
    /// `GLACIER`: Glacier Flexible Retrieval.
    Glacier,
    /// `DEEP_ARCHIVE`: Glacier Deep Archive.
    DeepArchive,
}

impl StorageClass {
    /// The S3 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::OneZoneIa => "ONEZONE_IA",
            StorageClass::GlacierInstantRetrieval => "GLACIER_IR",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
        }
    }

    /// Whether S3 requires 30 days before a transition to this class and 30 days in it before
    /// the next one.
    pub fn is_infrequent_access(self) -> bool {
        matches!(self, StorageClass::StandardIa | StorageClass::OneZoneIa)
    }

    fn current(self) -> cfn::TransitionStorageClass {
        use cfn::TransitionStorageClass as C;
        match self {
            StorageClass::StandardIa => C::StandardIa,
            StorageClass::IntelligentTiering => C::IntelligentTiering,
            StorageClass::OneZoneIa => C::OnezoneIa,
            StorageClass::GlacierInstantRetrieval => C::GlacierIr,
            StorageClass::Glacier => C::Glacier,
            StorageClass::DeepArchive => C::DeepArchive,
        }
    }

    fn noncurrent(self) -> cfn::NoncurrentVersionTransitionStorageClass {
        use cfn::NoncurrentVersionTransitionStorageClass as C;
        match self {
            StorageClass::StandardIa => C::StandardIa,
            StorageClass::IntelligentTiering => C::IntelligentTiering,
            StorageClass::OneZoneIa => C::OnezoneIa,
            StorageClass::GlacierInstantRetrieval => C::GlacierIr,
            StorageClass::Glacier => C::Glacier,
            StorageClass::DeepArchive => C::DeepArchive,
        }
    }
}

/// One lifecycle rule of a bucket, added with
/// [`Bucket::lifecycle_rule`](super::Bucket::lifecycle_rule), which checks it.
///
/// ```
/// use rcdk_constructs::storage::{Bucket, LifecycleRule, StorageClass};
/// let backups = Bucket::new().lifecycle_rule(
///     LifecycleRule::new("Dumps")
///         .prefix("dumps/")
///         .transition(StorageClass::Glacier, 30)
///         .expire(365)
///         .expire_noncurrent(30)
///         .abort_incomplete_multipart_uploads(7),
/// )?;
/// // Expiry before the transition is refused.
/// assert!(Bucket::new()
///     .lifecycle_rule(LifecycleRule::new("Bad").transition(StorageClass::Glacier, 30).expire(20))
///     .is_err());
/// # let _ = backups;
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleRule {
    id: String,
    prefix: Option<String>,
    transitions: Vec<(StorageClass, u32)>,
    expiration_days: Option<u32>,
    noncurrent_transitions: Vec<(StorageClass, u32)>,
    noncurrent_expiration_days: Option<u32>,
    newer_noncurrent_versions: Option<u32>,
    abort_multipart_days: Option<u32>,
}

impl LifecycleRule {
    /// A rule named `id` (1-255 characters, unique in the bucket) for every object.
    pub fn new(id: &str) -> LifecycleRule {
        LifecycleRule {
            id: id.to_string(),
            prefix: None,
            transitions: Vec::new(),
            expiration_days: None,
            noncurrent_transitions: Vec::new(),
            noncurrent_expiration_days: None,
            newer_noncurrent_versions: None,
            abort_multipart_days: None,
        }
    }

    /// Applies the rule only to keys starting with `prefix` (e.g. `dumps/`).
    pub fn prefix(mut self, prefix: &str) -> LifecycleRule {
        self.prefix = Some(prefix.to_string());
        self
    }

    /// Moves current objects to `class` `days` after creation.
    pub fn transition(mut self, class: StorageClass, days: u32) -> LifecycleRule {
        self.transitions.push((class, days));
        self
    }

    /// Expires current objects `days` after creation (on a versioned bucket this adds a delete
    /// marker; the version then counts as noncurrent, see [`LifecycleRule::expire_noncurrent`]).
    pub fn expire(mut self, days: u32) -> LifecycleRule {
        self.expiration_days = Some(days);
        self
    }

    /// Moves versions to `class` `days` after they became noncurrent.
    pub fn noncurrent_transition(mut self, class: StorageClass, days: u32) -> LifecycleRule {
        self.noncurrent_transitions.push((class, days));
        self
    }

    /// Deletes versions `days` after they became noncurrent.
    pub fn expire_noncurrent(mut self, days: u32) -> LifecycleRule {
        self.noncurrent_expiration_days = Some(days);
        self
    }

    /// Keeps the `count` (1-100) newest noncurrent versions out of the noncurrent actions.
    pub fn keep_newer_noncurrent_versions(mut self, count: u32) -> LifecycleRule {
        self.newer_noncurrent_versions = Some(count);
        self
    }

    /// Aborts multipart uploads still incomplete `days` after they started (their parts are
    /// billed until then).
    pub fn abort_incomplete_multipart_uploads(mut self, days: u32) -> LifecycleRule {
        self.abort_multipart_days = Some(days);
        self
    }

    /// The rule's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether the rule acts on noncurrent versions (which needs a versioned bucket).
    pub fn has_noncurrent_actions(&self) -> bool {
        !self.noncurrent_transitions.is_empty() || self.noncurrent_expiration_days.is_some()
    }

    /// Checks the rule against S3's rules; the error names the rule and what to change.
    pub fn check(&self) -> Result<(), ConstructError> {
        let bad = |problem: String| ConstructError::LifecycleRule {
            rule: self.id.clone(),
            problem,
        };
        if self.id.is_empty() || self.id.chars().count() > 255 {
            return Err(bad("the rule id must be 1-255 characters".into()));
        }
        if let Some(prefix) = &self.prefix {
            if prefix.len() > 1024 {
                return Err(bad("the prefix is longer than 1024 bytes".into()));
            }
        }
        if self.transitions.is_empty()
            && self.expiration_days.is_none()
            && !self.has_noncurrent_actions()
            && self.abort_multipart_days.is_none()
        {
            return Err(bad(
                "the rule does nothing: add a transition, an expiry, a noncurrent action or \
                 abort_incomplete_multipart_uploads"
                    .into(),
            ));
        }
        check_transitions(&self.transitions, 0, "days after creation").map_err(&bad)?;
        if let Some(days) = self.expiration_days {
            if days == 0 {
                return Err(bad("expiry must be at least 1 day after creation".into()));
            }
            if let Some((class, last)) = self.transitions.last() {
                if days <= *last {
                    return Err(bad(format!(
                        "objects expire after {days} days, not after their transition to {} \
                         at day {last}: expire later than the last transition (or drop the \
                         transition)",
                        class.as_str()
                    )));
                }
            }
        }
        check_transitions(
            &self.noncurrent_transitions,
            1,
            "days after becoming noncurrent",
        )
        .map_err(&bad)?;
        if let Some(days) = self.noncurrent_expiration_days {
            if days == 0 {
                return Err(bad(
                    "noncurrent versions expire at least 1 day after becoming noncurrent".into(),
                ));
            }
            if let Some((class, last)) = self.noncurrent_transitions.last() {
                if days <= *last {
                    return Err(bad(format!(
                        "noncurrent versions expire after {days} days, not after their \
                         transition to {} at day {last}: expire them later",
                        class.as_str()
                    )));
                }
            }
        }
        if let Some(count) = self.newer_noncurrent_versions {
            if !(1..=100).contains(&count) {
                return Err(bad(format!(
                    "keep_newer_noncurrent_versions({count}) must keep 1-100 versions"
                )));
            }
            if !self.has_noncurrent_actions() {
                return Err(bad(
                    "keep_newer_noncurrent_versions applies to noncurrent actions, and the rule \
                     has none: add expire_noncurrent or noncurrent_transition"
                        .into(),
                ));
            }
        }
        if self.abort_multipart_days == Some(0) {
            return Err(bad(
                "incomplete multipart uploads are aborted at least 1 day after they start".into(),
            ));
        }
        Ok(())
    }

    /// The CloudFormation rule (call [`LifecycleRule::check`] first).
    pub(crate) fn to_cfn(&self) -> cfn::Rule {
        let mut rule = cfn::Rule::new(cfn::RuleStatus::Enabled).id(self.id.as_str());
        if let Some(prefix) = &self.prefix {
            rule.set_prefix(prefix.as_str());
        }
        if !self.transitions.is_empty() {
            rule.set_transitions(
                self.transitions
                    .iter()
                    .map(|(class, days)| {
                        cfn::Transition::new(class.current()).transition_in_days(i64::from(*days))
                    })
                    .collect::<Vec<_>>(),
            );
        }
        if let Some(days) = self.expiration_days {
            rule.set_expiration_in_days(i64::from(days));
        }
        let newer = self.newer_noncurrent_versions.map(i64::from);
        if !self.noncurrent_transitions.is_empty() {
            rule.set_noncurrent_version_transitions(
                self.noncurrent_transitions
                    .iter()
                    .map(|(class, days)| {
                        let mut t = cfn::NoncurrentVersionTransition::new(
                            class.noncurrent(),
                            i64::from(*days),
                        );
                        if let Some(n) = newer {
                            t.set_newer_noncurrent_versions(n);
                        }
                        t
                    })
                    .collect::<Vec<_>>(),
            );
        }
        if let Some(days) = self.noncurrent_expiration_days {
            let mut expiration = cfn::NoncurrentVersionExpiration::new(i64::from(days));
            if let Some(n) = newer {
                expiration.set_newer_noncurrent_versions(n);
            }
            rule.set_noncurrent_version_expiration(expiration);
        }
        if let Some(days) = self.abort_multipart_days {
            rule.set_abort_incomplete_multipart_upload(cfn::AbortIncompleteMultipartUpload::new(
                i64::from(days),
            ));
        }
        rule
    }
}

/// Checks a list of transitions: S3's order of classes, strictly later days, 30 days before an
/// infrequent-access class and 30 days in it, and `min_days` for every transition.
fn check_transitions(
    transitions: &[(StorageClass, u32)],
    min_days: u32,
    counted: &str,
) -> Result<(), String> {
    let mut previous: Option<(StorageClass, u32)> = None;
    for &(class, days) in transitions {
        if days < min_days {
            return Err(format!(
                "the transition to {} at {days} {counted} must be at least {min_days}",
                class.as_str()
            ));
        }
        if class.is_infrequent_access() && days < INFREQUENT_ACCESS_MIN_DAYS {
            return Err(format!(
                "S3 moves objects to {} no earlier than {INFREQUENT_ACCESS_MIN_DAYS} {counted}, \
                 not {days}: transition at day {INFREQUENT_ACCESS_MIN_DAYS} or later, or pick \
                 INTELLIGENT_TIERING or a Glacier class",
                class.as_str()
            ));
        }
        if let Some((before, before_days)) = previous {
            if class <= before {
                return Err(format!(
                    "a transition to {} cannot follow one to {}: S3 moves objects down the order \
                     STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, \
                     DEEP_ARCHIVE only, each class once",
                    class.as_str(),
                    before.as_str()
                ));
            }
            if days <= before_days {
                return Err(format!(
                    "the transition to {} at day {days} must come after the one to {} at day \
                     {before_days}",
                    class.as_str(),
                    before.as_str()
                ));
            }
            if before.is_infrequent_access() && days < before_days + INFREQUENT_ACCESS_MIN_DAYS {
                return Err(format!(
                    "objects stay at least {INFREQUENT_ACCESS_MIN_DAYS} days in {} (from day \
                     {before_days}) before moving to {}: transition at day {} or later",
                    before.as_str(),
                    class.as_str(),
                    before_days + INFREQUENT_ACCESS_MIN_DAYS
                ));
            }
        }
        previous = Some((class, days));
    }
    Ok(())
}

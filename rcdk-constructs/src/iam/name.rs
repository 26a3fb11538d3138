//! Validated IAM role names: checked at run time with [`RoleNameText::new`], or at compile time
//! for literals with [`role_name!`](crate::role_name).

use std::borrow::Cow;

use crate::error::ConstructError;

/// IAM's maximum role name length.
pub const ROLE_NAME_MAX: usize = 64;

/// Checks a role name against IAM's rules: 1 to 64 characters from `[A-Za-z0-9+=,.@_-]`.
/// A `const fn`, so that [`role_name!`](crate::role_name) can run it during compilation.
pub const fn check_role_name(name: &str) -> Result<(), &'static str> {
    let bytes = name.as_bytes();
    if bytes.is_empty() {
        return Err("IAM role name is empty");
    }
    if bytes.len() > ROLE_NAME_MAX {
        return Err("IAM role name is longer than 64 characters: shorten it");
    }
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let ok = c.is_ascii_alphanumeric()
            || matches!(c, b'+' | b'=' | b',' | b'.' | b'@' | b'_' | b'-');
        if !ok {
            return Err("IAM role name may only contain letters, digits and + = , . @ _ -");
        }
        i += 1;
    }
    Ok(())
}

/// A role name known to be valid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoleNameText(Cow<'static, str>);

impl RoleNameText {
    /// Checks `name` at run time (for names computed by the program).
    pub fn new(name: impl Into<String>) -> Result<RoleNameText, ConstructError> {
        let name = name.into();
        match check_role_name(&name) {
            Ok(()) => Ok(RoleNameText(Cow::Owned(name))),
            Err(reason) => Err(ConstructError::InvalidRoleName { name, reason }),
        }
    }

    /// Used by [`role_name!`](crate::role_name) after its compile-time check.
    #[doc(hidden)]
    pub const fn from_checked_literal(name: &'static str) -> RoleNameText {
        RoleNameText(Cow::Borrowed(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A role name literal checked at compile time: `role_name!("learner-ecs-role")`. A name longer
/// than 64 characters or with a character IAM refuses does not compile.
#[macro_export]
macro_rules! role_name {
    ($name:literal) => {{
        // A const item (not only an inline `const {}` block): items are evaluated by
        // `cargo check` too, so the error shows in the editor, not only at `cargo build`.
        const ROLE_NAME: $crate::iam::RoleNameText = match $crate::iam::check_role_name($name) {
            ::core::result::Result::Ok(()) => {
                $crate::iam::RoleNameText::from_checked_literal($name)
            }
            ::core::result::Result::Err(reason) => ::core::panic!("{}", reason),
        };
        ROLE_NAME
    }};
}

//! Newtypes over a message for the client ([`Refusal`](crate::Refusal),
//! [`Forbidden`](crate::Forbidden)), declared once.

/// Declares `pub struct $name { message }` with `new`, `message`, `Display`, `Error` and
/// `From<&str>` / `From<String>`.
macro_rules! message_error {
    ($(#[$meta:meta])* $name:ident, new = $new_doc:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            message: String,
        }

        impl $name {
            #[doc = $new_doc]
            pub fn new(message: impl Into<String>) -> Self {
                Self { message: message.into() }
            }

            /// The message.
            pub fn message(&self) -> &str {
                &self.message
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.message)
            }
        }

        impl ::std::error::Error for $name {}

        impl From<&str> for $name {
            fn from(message: &str) -> Self {
                Self::new(message)
            }
        }

        impl From<String> for $name {
            fn from(message: String) -> Self {
                Self::new(message)
            }
        }
    };
}

pub(crate) use message_error;

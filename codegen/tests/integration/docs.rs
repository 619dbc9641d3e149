use eventwire::{Contract, payload};

/// A sign-up form.
///
/// Sent once per account.
#[payload]
pub struct Signup {
    /// The login name.
    #[validate(length(min = 3, max = 20))]
    pub name: String,
    #[validate(email)]
    pub email: String,
    #[validate(range(min = 13, max = 130))]
    pub age: u8,
    #[validate(length(min = 1))]
    pub interests: Vec<String>,
}

#[derive(Contract)]
pub enum Api {
    #[client]
    Signup(Signup),
}

#[test]
fn signup() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "Signup",
        r#"
/**
 * A sign-up form.
 *
 * Sent once per account.
 */
export interface Signup {
  /**
   * @minimum 13
   * @maximum 130
   */
  age: number;
  /** @format email */
  email: string;
  /** @minItems 1 */
  interests: string[];
  /**
   * The login name.
   * @minLength 3
   * @maxLength 20
   */
  name: string;
}
"#,
    );
}

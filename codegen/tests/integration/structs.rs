use eventwire::{Contract, payload};

/// A struct with renames, options and defaults.
#[payload]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub display_name: String,
    #[serde(rename = "ID")]
    pub id: u32,
    pub nickname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default)]
    pub verified: bool,
    #[serde(skip)]
    #[allow(dead_code)]
    pub cache: u8,
}

/// A newtype struct is its inner value.
#[payload]
pub struct UserId(pub String);

/// A tuple struct is an array.
#[payload]
pub struct Rgb(pub u8, pub u8, pub u8);

/// A unit struct is null.
#[payload]
pub struct Nothing;

/// Flattened fields sit in the parent.
#[payload]
pub struct Located {
    pub name: String,
    #[serde(flatten)]
    pub at: Coordinates,
}

/// Coordinates.
#[payload]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Contract)]
pub enum Api {
    #[client(ack = Profile)]
    Save(Profile),
    #[server]
    Ids(UserId),
    #[server]
    Colour(Rgb),
    #[server]
    Empty(Nothing),
    #[server]
    Place(Located),
}

#[test]
fn profile() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "Profile",
        r#"
/** A struct with renames, options and defaults. */
export interface Profile {
  /** @minimum 0 */
  ID: number;
  bio?: string | null;
  displayName: string;
  nickname: string | null;
  /** @default false */
  verified: boolean;
}
"#,
    );
}

#[test]
fn profile_input() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "ProfileInput",
        r#"
/** A struct with renames, options and defaults. */
export interface ProfileInput {
  /** @minimum 0 */
  ID: number;
  bio?: string | null;
  displayName: string;
  nickname?: string | null;
  /** @default false */
  verified?: boolean;
}
"#,
    );
}

#[test]
fn user_id() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "UserId",
        r#"
/** A newtype struct is its inner value. */
export type UserId = string;
"#,
    );
}

#[test]
fn rgb() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "Rgb",
        r#"
/**
 * A tuple struct is an array.
 * @minItems 3
 * @maxItems 3
 */
export type Rgb = [number, number, number];
"#,
    );
}

#[test]
fn nothing() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "Nothing",
        r#"
/** A unit struct is null. */
export type Nothing = null;
"#,
    );
}

#[test]
fn located() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "Located",
        r#"
/** Flattened fields sit in the parent. */
export interface Located {
  lat: number;
  lon: number;
  name: string;
}
"#,
    );
}

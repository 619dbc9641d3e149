use eventwire::{payload, Contract};

#[payload]
#[derive(Clone)]
pub struct Settings { pub title: String }

#[derive(Contract)]
pub enum Board {
    // A prop names its value's type.
    #[prop(error = Settings)]
    NoValue,
    // A prop is a unit variant.
    #[prop(value = Settings)]
    WithPayload(Settings),
    // A prop is its own declaration.
    #[prop(value = Settings)]
    #[client]
    AlsoAnEvent,
    // Only `value` and `error`.
    #[prop(value = Settings, rename = "other")]
    Renamed,
}

fn main() {}

use eventwire::Contract;

#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Settings { pub title: String }

#[derive(Contract)]
pub enum Board {
    #[prop(value = Settings)]
    Settings,
}

fn main() {}

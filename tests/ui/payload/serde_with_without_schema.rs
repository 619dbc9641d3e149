use eventwire::payload;

mod as_string {
    pub fn serialize<S: serde::Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
}

#[payload]
pub struct Counter {
    #[serde(serialize_with = "as_string::serialize")]
    pub value: u64,
}

fn main() {}

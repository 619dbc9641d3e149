use eventwire::payload;

// Unbounded 64-bit integers are refused where they are written: JavaScript cannot hold them.
#[payload]
pub struct Todo {
    pub id: u64,
    pub offset: Option<i64>,
    pub sizes: Vec<usize>,
    // Bounded inside ±(2^53 - 1), or carried as a string, they are fine.
    #[validate(range(max = 9_007_199_254_740_991u64))]
    pub bounded: u64,
    #[validate(range(min = -1000, max = 1000))]
    pub small: i64,
    pub as_string: eventwire::wire::U64,
    // A bound too wide does not count.
    #[validate(range(max = 18_446_744_073_709_551_615u64))]
    pub too_wide: u64,
}

fn main() {}

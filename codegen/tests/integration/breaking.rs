//! The `eventwire-codegen breaking` command: its report and exit codes.

use std::process::Command;

use eventwire::{Contract, payload};
use eventwire_codegen::Generator;

#[payload]
pub struct Order {
    pub item: String,
}

#[payload]
pub struct OrderV2 {
    pub item: String,
    pub quantity: u32,
}

#[derive(Contract)]
#[contract(namespace = "/shop")]
pub enum Shop {
    #[client(ack = u32)]
    Order(Order),
}

mod v2 {
    use super::*;

    #[derive(Contract)]
    #[contract(namespace = "/shop")]
    pub enum Shop {
        #[client(ack = u32)]
        Order(OrderV2),
    }
}

fn schema<C: Contract>() -> String {
    Generator::new()
        .contract::<C>()
        .files("shop")
        .expect("generates")
        .swap_remove(2)
        .contents
}

/// Runs the command on two documents written to a fresh folder.
fn breaking(old: &str, new: &str) -> (Option<i32>, String, String) {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("eventwire-breaking-{}-{run}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("old.json"), old).unwrap();
    std::fs::write(dir.join("new.json"), new).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_eventwire-codegen"))
        .arg("breaking")
        .arg(dir.join("old.json"))
        .arg(dir.join("new.json"))
        .output()
        .expect("the command runs");
    let _ = std::fs::remove_dir_all(&dir);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_breaking_change_exits_1_with_the_report() {
    let (code, stdout, _) = breaking(&schema::<Shop>(), &schema::<v2::Shop>());
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.starts_with("Shop: BREAKING ("), "{stdout}");
    assert!(stdout.ends_with(
        "), 1 change(s)\n  what an old client sends, which the new server must accept (client -> server):\n    - /shop `order` payload: an old client may leave out `quantity`, which the new server requires\n"
    ), "{stdout}");
}

#[test]
fn a_compatible_change_exits_0() {
    // Dropping the required field again: old clients (of v2) send more than needed.
    let (code, stdout, _) = breaking(&schema::<v2::Shop>(), &schema::<Shop>());
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.starts_with("Shop: compatible (changed, "),
        "{stdout}"
    );
}

#[test]
fn files_that_are_not_descriptions_exit_2() {
    let (code, _, stderr) = breaking("{}", &schema::<Shop>());
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("the old description: not an eventwire schema document"),
        "{stderr}"
    );
}

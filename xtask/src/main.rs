//! Project chores for corio.
fn main() {}

// The migrations are embedded by `sqlx::migrate!`, which stable Rust cannot make cargo watch:
// rebuild when one is added or changed, or the binary would ship without it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

fn main() {
    std::process::exit(appaudit::cli::main());
}

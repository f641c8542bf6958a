fn main() -> std::process::ExitCode {
    roster_etl::cli::main()
}

/// mimalloc rather than the system allocator: a run makes and frees millions of small strings,
/// and glibc's malloc spent a third of a 100k-pupil plan in its own bookkeeping
/// (malloc_consolidate, unlink_chunk; docs/performance.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    roster_etl::cli::main()
}

use clap::Parser;

fn main() -> std::process::ExitCode {
    // before the runtime starts its threads
    server::memory::tune();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: could not start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        server::telemetry::init();
        let cli = server::cli::Cli::parse();
        match server::cli::run(cli).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err:#}");
                match err.downcast_ref::<server::ingest_mail::ExitStatus>() {
                    Some(status) => std::process::ExitCode::from(status.code),
                    None => std::process::ExitCode::FAILURE,
                }
            }
        }
    })
}

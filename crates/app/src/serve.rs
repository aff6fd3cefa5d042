//! `leakguard serve`: the bouncer API on a socket.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use crate::blocking_config::check_listen;
use crate::config::Config;
use crate::decisions_cmd::open_service;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on (default: serve.listen, then 127.0.0.1:8080;
    /// port 0 picks a free one, printed at start).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
}

pub(crate) async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

pub(crate) fn run(args: &ServeArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let listen = match &args.listen {
        Some(text) => {
            check_listen(text, config.blocking.allow_plain_http || config.blocking.tls.is_some())
                .map_err(|message| anyhow::anyhow!("--listen: {message}"))?
        }
        None => config.blocking.listen,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let acceptor = match &config.blocking.tls {
        Some((cert, key)) => Some(crate::tls::load_acceptor(cert, key)?),
        None => None,
    };
    runtime.block_on(async {
        let service = Arc::new(open_service(config).await?);
        let console_service = service.clone();
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let local = listener.local_addr().context("reading the bound address")?;
        if !config.blocking.outputs.is_empty() {
            tokio::spawn(crate::outputs::keep_fresh(
                service.clone(),
                config.blocking.outputs.clone(),
                "leakguard serve",
            ));
        }
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "leakguard serve: bouncer API and web console on {scheme}://{local}")?;
            stdout.flush()?;
        }
        let login = crate::pwned_cmd::login_routes(service.clone(), config, None)?;
        let router = api::router(service).merge(login);
        let router = crate::console_cmd::mount(router, console_service, config, acceptor.is_some());
        match acceptor {
            Some(acceptor) => {
                let listener = crate::tls::TlsListener::spawn(listener, acceptor)?;
                axum::serve(listener, router).with_graceful_shutdown(shutdown_signal()).await
            }
            None => axum::serve(listener, router).with_graceful_shutdown(shutdown_signal()).await,
        }
        .context("serving the bouncer API")?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

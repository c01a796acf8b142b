//! `tsudoi`: serve, migrate, and the operator's commands.

use std::{path::PathBuf, sync::Arc};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};
use tsudoi::{
    Application, Config,
    config::LogFormat,
    demo, migrate,
    startup::{open_database, shutdown_signal},
};
use tsudoi_domain::{
    access::Role,
    clock::{Clock, SystemClock},
    network::{self, NewNetwork},
    token,
    values::Slug,
};

/// Tsudoi (集い): events and meetups for company alumni networks.
///
/// Configuration comes from flags, then TSUDOI_* environment variables, then ./tsudoi.toml
/// (or --config), then defaults: a SQLite file ./tsudoi.db and 127.0.0.1:8080.
#[derive(Parser)]
#[command(version, about, long_about, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    global: GlobalFlags,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Serialize)]
struct GlobalFlags {
    /// A TOML configuration file [default: ./tsudoi.toml when present]
    #[arg(long, global = true, value_name = "FILE")]
    #[serde(skip)]
    config: Option<PathBuf>,
    /// sqlite://FILE?mode=rwc or postgres://USER@HOST/DB [env: TSUDOI_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<String>,
    /// Log as JSON lines instead of text [env: TSUDOI_LOG_FORMAT]
    #[arg(long, global = true, value_name = "FORMAT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    log_format: Option<LogFormat>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the web pages and the API
    Serve(ServeArgs),
    /// Apply or inspect database migrations
    Migrate {
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Manage networks
    Network {
        #[command(subcommand)]
        action: NetworkAction,
    },
    /// Manage API tokens
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Fill the database with a demo network and print an owner token
    Demo,
}

#[derive(Args, Serialize)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free one [env: TSUDOI_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    /// Absolute URL people reach Tsudoi at, used in emails and QR codes [env: TSUDOI_BASE_URL]
    #[arg(long, value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    base_url: Option<String>,
    /// PEM certificate chain, to serve HTTPS directly [env: TSUDOI_TLS_CERT]
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert [env: TSUDOI_TLS_KEY]
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_key: Option<PathBuf>,
    /// Trust X-Forwarded-Proto from a reverse proxy in front [env: TSUDOI_TRUST_PROXY]
    #[arg(long)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    trust_proxy: bool,
    /// Seed demo data when the database is empty (and print an owner token)
    #[arg(long)]
    #[serde(skip)]
    demo: bool,
}

#[derive(Subcommand, Clone, Copy)]
enum MigrateAction {
    /// Apply every pending migration (the default)
    Up,
    /// List migrations and whether each is applied
    Status,
}

#[derive(Subcommand)]
enum NetworkAction {
    /// Create a network
    Create {
        /// URL name: lowercase letters, digits and hyphens
        #[arg(long)]
        slug: String,
        /// Display name
        #[arg(long)]
        name: String,
        /// Default language of its pages and emails
        #[arg(long, default_value = "ja", value_parser = ["ja", "en"])]
        language: String,
        /// IANA time zone of its events
        #[arg(long, default_value = "Asia/Tokyo")]
        time_zone: String,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Make an API token for a person (created if new; made an owner of the network if not yet
    /// a member). The token is printed once.
    Create {
        /// The network the token acts in
        #[arg(long)]
        network: String,
        /// The person's email
        #[arg(long)]
        email: String,
        /// What the token is for
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

#[derive(Serialize)]
struct Overrides<'a> {
    #[serde(flatten)]
    global: &'a GlobalFlags,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    serve: Option<&'a ServeArgs>,
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_env("TSUDOI_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    match format {
        LogFormat::Json => registry.with(fmt::layer().json().with_current_span(true)).init(),
        LogFormat::Text => registry.with(fmt::layer().with_writer(std::io::stderr)).init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let serve = match &cli.command {
        Command::Serve(args) => Some(args),
        _ => None,
    };
    let config = Config::load(cli.global.config.as_deref(), &Overrides { global: &cli.global, serve })?;
    init_logging(config.log_format);
    let clock = Arc::new(SystemClock);

    match cli.command {
        Command::Serve(args) => {
            let app = Application::build(&config, clock.clone()).await?;
            if args.demo
                && demo::is_empty(app.db()).await?
                && let Some(token) = demo::seed(app.db(), clock.now()).await?
            {
                eprintln!("Demo data is ready. Owner token for the `demo` network (shown once):\n  {token}");
                eprintln!("Try: curl -H 'Authorization: Bearer {token}' {}/api/v1/me", app.base_url());
                eprintln!("The demo network's public page: {}/n/demo", app.base_url());
                eprintln!(
                    "The dashboard: {}/admin (sign in as {}; the link arrives in the outbox folder)",
                    app.base_url(),
                    demo::DEMO_EMAIL
                );
            }
            eprintln!("Tsudoi is running at {} (API docs: {}/api/docs)", app.base_url(), app.base_url());
            app.run_until_stopped(shutdown_signal()).await
        }
        Command::Migrate { action } => {
            let db = tsudoi_domain::db::Db::connect(&config.database_url, &Default::default()).await?;
            if matches!(action, None | Some(MigrateAction::Up)) {
                migrate::up(&config.database_url, &db).await?;
            }
            for (name, applied) in migrate::status(&db).await? {
                println!("{} {name}", if applied { "applied" } else { "pending" });
            }
            Ok(())
        }
        Command::Network { action: NetworkAction::Create { slug, name, language, time_zone } } => {
            let db = open_database(&config).await?;
            let input = NewNetwork {
                slug: &slug,
                name: &name,
                default_language: Some(&language),
                time_zone: Some(&time_zone),
            };
            let created = network::create(db.writer(), input, clock.now()).await.map_err(explain)?;
            println!("created network `{}` ({})", created.slug, created.name);
            Ok(())
        }
        Command::Token { action: TokenAction::Create { network: slug, email, name } } => {
            let db = open_database(&config).await?;
            let network = network::find_by_slug(
                db.writer(),
                &Slug::parse(&slug).map_err(|e| anyhow::anyhow!("--network: {e}"))?,
            )
            .await
            .map_err(explain)?
            .with_context(|| format!("no network `{slug}`: create it with `tsudoi network create`"))?;
            let email =
                tsudoi_domain::values::Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
            let now = clock.now();
            let person = tsudoi_domain::person::find_or_create(
                db.writer(),
                &email,
                &tsudoi_domain::person::name_from_email(&email),
                now,
            )
            .await
            .map_err(explain)?;
            let memberships =
                network::memberships_of(db.writer(), person.id, Some(network.id)).await.map_err(explain)?;
            if memberships.is_empty() {
                network::add_member(db.writer(), None, network.id, email.as_str(), None, Role::Owner, now)
                    .await
                    .map_err(explain)?;
                eprintln!("{email} is now an owner of `{slug}`");
            }
            let issued =
                token::issue(db.writer(), person.id, Some(network.id), &name, now).await.map_err(explain)?;
            eprintln!("API token for {email} in `{slug}` (shown once; keep it safe):");
            println!("{}", issued.plaintext);
            Ok(())
        }
        Command::Demo => {
            let db = open_database(&config).await?;
            match demo::seed(&db, clock.now()).await? {
                Some(token) => {
                    eprintln!("Demo network `demo` created. Owner token (shown once):");
                    println!("{token}");
                }
                None => eprintln!(
                    "The demo network exists already; make a token with `tsudoi token create --network demo --email {}`",
                    demo::DEMO_EMAIL
                ),
            }
            Ok(())
        }
    }
}

/// Domain errors read better on a terminal with their field names.
fn explain(err: tsudoi_domain::Error) -> anyhow::Error {
    match err {
        tsudoi_domain::Error::Unexpected(err) => err,
        other => anyhow::anyhow!("{other}"),
    }
}

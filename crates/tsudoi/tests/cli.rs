//! The operator's command line, run as a real process on a fresh SQLite file.

use std::{path::PathBuf, process::Command};

struct Workdir(PathBuf);

impl Workdir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("tsudoi-cli-{}-{}", std::process::id(), uuid_like()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Workdir(dir)
    }

    fn tsudoi(&self, args: &[&str]) -> (bool, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_tsudoi"))
            .args(args)
            .current_dir(&self.0)
            .env("TSUDOI_LOG", "warn")
            .env_remove("TSUDOI_DATABASE_URL")
            .output()
            .expect("running tsudoi");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

#[test]
fn help_names_every_command() {
    let dir = Workdir::new();
    let (ok, out, _) = dir.tsudoi(&["--help"]);
    assert!(ok);
    for command in ["serve", "migrate", "network", "token", "demo"] {
        assert!(out.contains(command), "--help mentions {command}:\n{out}");
    }
    assert!(out.contains("TSUDOI_"), "--help explains the environment:\n{out}");
}

#[test]
fn the_operator_makes_a_network_and_a_token_that_works() {
    let dir = Workdir::new();
    let (ok, out, err) = dir.tsudoi(&["migrate", "status"]);
    assert!(ok, "{err}");
    assert!(out.contains("pending m20261124_000001_foundation"), "status only looks: {out}");
    let (ok, out, err) = dir.tsudoi(&["migrate"]);
    assert!(ok, "{err}");
    assert!(out.contains("applied m20261124_000001_foundation"), "{out}");
    assert!(dir.0.join("tsudoi.db").exists(), "the default database is a file in the working directory");

    let (ok, _, err) = dir.tsudoi(&["network", "create", "--slug", "tokyo", "--name", "東京アルムナイ"]);
    assert!(ok, "{err}");
    let (ok, _, err) = dir.tsudoi(&["network", "create", "--slug", "tokyo", "--name", "again"]);
    assert!(!ok);
    assert!(err.contains("already taken"), "{err}");
    let (ok, _, err) = dir.tsudoi(&["network", "create", "--slug", "Not Valid", "--name", "x"]);
    assert!(!ok);
    assert!(err.contains("slug"), "{err}");

    let (ok, token, err) =
        dir.tsudoi(&["token", "create", "--network", "tokyo", "--email", "Hanako@Example.JP"]);
    assert!(ok, "{err}");
    assert!(token.trim().starts_with("tsudoi_"), "{token}");
    assert!(err.contains("is now an owner"), "{err}");
    // A second token for the same person does not add them again.
    let (ok, _, err) = dir.tsudoi(&["token", "create", "--network", "tokyo", "--email", "hanako@example.jp"]);
    assert!(ok, "{err}");
    assert!(!err.contains("is now an owner"), "{err}");

    let (ok, _, err) = dir.tsudoi(&["token", "create", "--network", "osaka", "--email", "a@b.jp"]);
    assert!(!ok);
    assert!(err.contains("no network `osaka`"), "{err}");
}

#[test]
fn demo_seeds_once() {
    let dir = Workdir::new();
    let (ok, token, err) = dir.tsudoi(&["demo"]);
    assert!(ok, "{err}");
    assert!(token.trim().starts_with("tsudoi_"));
    let (ok, token, err) = dir.tsudoi(&["demo"]);
    assert!(ok, "{err}");
    assert!(token.is_empty(), "no second token");
    assert!(err.contains("exists already"), "{err}");
}

#[test]
fn bad_configuration_is_explained() {
    let dir = Workdir::new();
    let (ok, _, err) = dir.tsudoi(&["--database-url", "mysql://x", "migrate"]);
    assert!(!ok);
    assert!(err.contains("unsupported database URL"), "{err}");
    std::fs::write(dir.0.join("tsudoi.toml"), "listen = [").expect("file");
    let (ok, _, err) = dir.tsudoi(&["migrate"]);
    assert!(!ok);
    assert!(err.contains("configuration"), "{err}");
}

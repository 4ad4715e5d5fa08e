#![doc = include_str!("../README.md")]
//!
//! # Use from another crate's tests
//!
//! Add `sehat-test-pg = { path = "../sehat-test-pg" }` to `[dev-dependencies]` and start each
//! PostgreSQL test with `let Some(db) = sehat_test_pg::database() else { return };`. Child
//! processes (a CLI under test) get `db.url()` on their command line; the server outlives them
//! and is removed when the test binary exits.

use std::fmt;
use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The user PostgreSQL runs as when the tests run as root.
const SYSTEM_USER: &str = "postgres";

/// Why no server could be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unavailable {}

fn unavailable(what: impl Into<String>) -> Unavailable {
    Unavailable(what.into())
}

/// How a server is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// `true` keeps PostgreSQL's durable defaults (`fsync`, `synchronous_commit`,
    /// `full_page_writes` on), as a benchmark must; `false` (the default for tests) turns them
    /// off, which only matters if the machine itself crashes.
    pub durable: bool,
}

/// A running PostgreSQL server: one started here (stopped and removed when this value is
/// dropped, or when the process exits) or an existing one named by `SEHAT_TEST_POSTGRES_URL`.
pub struct Server {
    /// Connection URL of the server's `postgres` database, for administration.
    admin_url: String,
    /// `postgres://user@host:port` without a database, to which database names are appended.
    base_url: String,
    started: Option<Started>,
}

struct Started {
    dir: PathBuf,
    /// The write end of the watchdog's pipe: closing it (drop, or process exit) stops the
    /// server and removes its directory.
    watchdog_stdin: Mutex<Option<ChildStdin>>,
    watchdog: Mutex<Option<Child>>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("base_url", &self.base_url)
            .field("dir", &self.started.as_ref().map(|s| &s.dir))
            .finish()
    }
}

impl Server {
    /// Starts a new throwaway server.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] when the binaries are missing or the server does not come up; the text
    /// says which step failed and includes the server's log.
    pub fn start(options: Options) -> Result<Server, Unavailable> {
        let bindir = find_bindir()?;
        let as_root = running_as_root();
        if as_root {
            ensure_system_user()?;
        }
        let dir = new_private_dir()?;
        match start_in(&bindir, &dir, as_root, options) {
            Ok(server) => Ok(server),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                Err(e)
            }
        }
    }

    /// Uses an existing server; `url` must name a role that may create databases.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] when the URL cannot be parsed or the server cannot be reached.
    pub fn existing(url: &str) -> Result<Server, Unavailable> {
        url.parse::<tokio_postgres::Config>().map_err(|e| {
            unavailable(format!(
                "SEHAT_TEST_POSTGRES_URL is not a PostgreSQL URL: {e}"
            ))
        })?;
        let base_url = base_url_of(url);
        let server = Server {
            admin_url: url.to_owned(),
            base_url,
            started: None,
        };
        server.admin(&["SELECT 1"])?;
        Ok(server)
    }

    /// The URL of the server's administrative database (`postgres`).
    #[must_use]
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// The server's data directory, when it was started here.
    #[must_use]
    pub fn data_dir(&self) -> Option<PathBuf> {
        self.started.as_ref().map(|s| s.dir.join("data"))
    }

    /// Creates a new, empty database with a unique name.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] when the server refuses.
    pub fn create_database(&'static self) -> Result<TestDatabase, Unavailable> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "sehat_t{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        self.admin(&[&format!("CREATE DATABASE {name}")])?;
        Ok(TestDatabase {
            url: format!("{}/{name}", self.base_url),
            name,
            server: self,
        })
    }

    /// Runs statements, one after the other, on the administrative database.
    fn admin(&self, statements: &[&str]) -> Result<(), Unavailable> {
        let url = self.admin_url.clone();
        let statements: Vec<String> = statements.iter().map(|s| (*s).to_owned()).collect();
        // A thread of its own, so this works from inside a test's Tokio runtime too.
        std::thread::spawn(move || -> Result<(), Unavailable> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| unavailable(format!("cannot start a Tokio runtime: {e}")))?;
            runtime.block_on(async move {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .map_err(|e| {
                        unavailable(format!("cannot connect to {url}: {}", describe(&e)))
                    })?;
                let driver = tokio::spawn(connection);
                for statement in &statements {
                    client.batch_execute(statement).await.map_err(|e| {
                        unavailable(format!("`{statement}` failed: {}", describe(&e)))
                    })?;
                }
                drop(client);
                let _ = driver.await;
                Ok(())
            })
        })
        .join()
        .map_err(|_| unavailable("the administration thread panicked"))?
    }

    fn stop(&self) {
        if let Some(started) = &self.started {
            if let Ok(mut stdin) = started.watchdog_stdin.lock() {
                drop(stdin.take());
            }
            if let Ok(mut watchdog) = started.watchdog.lock()
                && let Some(mut child) = watchdog.take()
            {
                let _ = child.wait();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A fresh database on the shared server, dropped (with its connections) when this value is.
pub struct TestDatabase {
    url: String,
    name: String,
    server: &'static Server,
}

impl fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestDatabase")
            .field("url", &self.url)
            .finish()
    }
}

impl TestDatabase {
    /// `postgres://postgres@127.0.0.1:PORT/NAME`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The server the database lives on.
    #[must_use]
    pub fn server(&self) -> &'static Server {
        self.server
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = self.server.admin(&[&statement]) {
            eprintln!(
                "sehat-test-pg: could not drop test database {}: {e}",
                self.name
            );
        }
    }
}

/// The server shared by every test of this test binary: `SEHAT_TEST_POSTGRES_URL` when set,
/// else one started on first use.
///
/// # Errors
///
/// [`Unavailable`] (the same one for every caller) when no server can be used.
pub fn shared_server() -> Result<&'static Server, Unavailable> {
    static SHARED: OnceLock<Result<Server, Unavailable>> = OnceLock::new();
    SHARED
        .get_or_init(|| match std::env::var("SEHAT_TEST_POSTGRES_URL") {
            Ok(url) if !url.trim().is_empty() => Server::existing(url.trim()),
            _ => Server::start(Options::default()),
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// A fresh database for one test, on the shared server.
///
/// Returns `None` only when no server can be used, outside CI, and `SEHAT_SKIP_POSTGRES=1` is
/// set: the test should then return early (a loud notice has been printed).
///
/// # Panics
///
/// When no server can be used, in CI (`CI` set) or without `SEHAT_SKIP_POSTGRES=1`: a
/// PostgreSQL test that silently did not run would look like one that passed.
#[must_use]
pub fn database() -> Option<TestDatabase> {
    let result = shared_server().and_then(Server::create_database);
    match result {
        Ok(db) => Some(db),
        Err(e) => match skip_policy() {
            Skip::Allowed => {
                eprintln!(
                    "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                     !!! PostgreSQL test NOT RUN (SEHAT_SKIP_POSTGRES=1): {e}\n\
                     !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                );
                None
            }
            Skip::InCi => panic!(
                "PostgreSQL tests need a real server and none could be used in CI: {e}. \
                 Install PostgreSQL (apt-get install postgresql) or set SEHAT_TEST_POSTGRES_URL."
            ),
            Skip::NotAsked => panic!(
                "PostgreSQL tests need a real server and none could be used: {e}. \
                 Install PostgreSQL (apt-get install postgresql), set SEHAT_TEST_POSTGRES_URL to \
                 an existing server, or set SEHAT_SKIP_POSTGRES=1 to skip these tests locally."
            ),
        },
    }
}

enum Skip {
    Allowed,
    InCi,
    NotAsked,
}

fn skip_policy() -> Skip {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    if ci {
        Skip::InCi
    } else if std::env::var("SEHAT_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        Skip::Allowed
    } else {
        Skip::NotAsked
    }
}

fn base_url_of(url: &str) -> String {
    // postgres://user@host:port/db?params → postgres://user@host:port
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    match rest.find(['/', '?']) {
        Some(i) => url[..scheme_end + i].to_owned(),
        None => url.to_owned(),
    }
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn has_tools(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("pg_ctl").is_file()
}

/// Finds the directory holding `initdb` and `pg_ctl`.
fn find_bindir() -> Result<PathBuf, Unavailable> {
    let mut tried = Vec::new();
    if let Ok(dir) = std::env::var("SEHAT_PG_BINDIR") {
        let dir = PathBuf::from(dir);
        if has_tools(&dir) {
            return Ok(dir);
        }
        tried.push(dir);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_tools(&dir) {
            return Ok(dir);
        }
        tried.push(dir);
    }
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<(u32, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let version = e.file_name().to_str()?.parse::<u32>().ok()?;
                Some((version, e.path().join("bin")))
            })
            .collect();
        versions.sort();
        for (_, dir) in versions.into_iter().rev() {
            if has_tools(&dir) {
                return Ok(dir);
            }
            tried.push(dir);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_tools(&dir) {
                return Ok(dir);
            }
        }
        tried.push(PathBuf::from("$PATH"));
    }
    Err(unavailable(format!(
        "no PostgreSQL server binaries (initdb, pg_ctl) found; looked in {}",
        tried
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

fn ensure_system_user() -> Result<(), Unavailable> {
    let exists = Command::new("id")
        .args(["-u", SYSTEM_USER])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if exists {
        return Ok(());
    }
    let status = Command::new("useradd")
        .args([
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            SYSTEM_USER,
        ])
        .status()
        .map_err(|e| {
            unavailable(format!(
                "cannot run useradd to create the postgres user: {e}"
            ))
        })?;
    // Another test binary may have created it at the same moment.
    let exists = Command::new("id")
        .args(["-u", SYSTEM_USER])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if status.success() || exists {
        Ok(())
    } else {
        Err(unavailable(format!(
            "PostgreSQL refuses to run as root and the `{SYSTEM_USER}` user could not be created \
             (useradd: {status})"
        )))
    }
}

fn new_private_dir() -> Result<PathBuf, Unavailable> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("sehat-pg-{}-{stamp}", std::process::id()));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|e| unavailable(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// A command that runs `program` as the `postgres` user when we are root.
fn command_as(as_root: bool, program: &Path) -> Command {
    if !as_root {
        return Command::new(program);
    }
    if Path::new("/usr/sbin/runuser").exists() || Path::new("/sbin/runuser").exists() {
        let mut c = Command::new("runuser");
        c.args(["-u", SYSTEM_USER, "--"]).arg(program);
        c
    } else {
        let mut c = Command::new("setpriv");
        c.args([
            &format!("--reuid={SYSTEM_USER}"),
            &format!("--regid={SYSTEM_USER}"),
            "--init-groups",
            "--",
        ])
        .arg(program);
        c
    }
}

fn run(mut command: Command, what: &str) -> Result<(), Unavailable> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| unavailable(format!("cannot run {what}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(unavailable(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

fn chown_tree(path: &Path) -> Result<(), Unavailable> {
    let out = Command::new("id")
        .args(["-u", SYSTEM_USER])
        .output()
        .map_err(|e| unavailable(format!("cannot run id: {e}")))?;
    let uid: u32 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| unavailable("cannot read the postgres user's id"))?;
    let out = Command::new("id")
        .args(["-g", SYSTEM_USER])
        .output()
        .map_err(|e| unavailable(format!("cannot run id: {e}")))?;
    let gid: u32 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| unavailable("cannot read the postgres group's id"))?;
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .map_err(|e| unavailable(format!("cannot hand {} to postgres: {e}", path.display())))
}

fn free_port() -> Result<u16, Unavailable> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| unavailable(format!("cannot find a free loopback port: {e}")))
}

fn start_in(
    bindir: &Path,
    dir: &Path,
    as_root: bool,
    options: Options,
) -> Result<Server, Unavailable> {
    if as_root {
        chown_tree(dir)?;
    }
    let data = dir.join("data");
    let mut initdb = command_as(as_root, &bindir.join("initdb"));
    initdb.current_dir(dir).arg("-D").arg(&data).args([
        "-U",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--no-locale",
        "--no-sync",
    ]);
    run(initdb, "initdb")?;

    // The watchdog first, so that a failure below still leaves nothing behind.
    let pg_ctl = bindir.join("pg_ctl");
    let stop = {
        let c = command_as(as_root, &pg_ctl);
        let mut words: Vec<String> = vec![c.get_program().to_string_lossy().into_owned()];
        words.extend(c.get_args().map(|a| a.to_string_lossy().into_owned()));
        words.extend([
            "-D".to_owned(),
            data.to_string_lossy().into_owned(),
            "stop".to_owned(),
            "-m".to_owned(),
            "immediate".to_owned(),
            "-w".to_owned(),
        ]);
        words
            .iter()
            .map(|w| shell_quote(w))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let script = format!(
        "trap '' INT TERM HUP; cat >/dev/null; \
         if [ -f {pid} ]; then {stop} >/dev/null 2>&1; fi; rm -rf {dir}",
        pid = shell_quote(&data.join("postmaster.pid").to_string_lossy()),
        dir = shell_quote(&dir.to_string_lossy()),
    );
    let mut watchdog = Command::new("sh")
        .args(["-c", &script])
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| unavailable(format!("cannot start the cleanup watchdog: {e}")))?;
    let watchdog_stdin = watchdog.stdin.take();
    let started = Started {
        dir: dir.to_owned(),
        watchdog_stdin: Mutex::new(watchdog_stdin),
        watchdog: Mutex::new(Some(watchdog)),
    };

    let durability = if options.durable {
        ""
    } else {
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    };
    let log = dir.join("server.log");
    let mut last_error = unavailable("the server was not started");
    for _attempt in 0..5 {
        let port = free_port()?;
        let mut start = command_as(as_root, &pg_ctl);
        start
            .current_dir(dir)
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "-o"])
            .arg(format!(
                "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=300 \
                 -c shared_buffers=128MB{durability}",
                dir.display()
            ))
            .arg("start");
        match run(start, "pg_ctl start") {
            Ok(()) => {
                let base_url = format!("postgres://postgres@127.0.0.1:{port}");
                let server = Server {
                    admin_url: format!("{base_url}/postgres"),
                    base_url,
                    started: Some(started),
                };
                wait_ready(&server)?;
                return Ok(server);
            }
            Err(e) => {
                let log_text = std::fs::read_to_string(&log).unwrap_or_default();
                last_error = unavailable(format!("{e}\nserver log:\n{log_text}"));
                // Port taken between our probe and the server's bind: try another one.
                if !log_text.contains("could not bind") && !log_text.contains("in use") {
                    break;
                }
            }
        }
    }
    let server = Server {
        admin_url: String::new(),
        base_url: String::new(),
        started: Some(started),
    };
    drop(server);
    Err(last_error)
}

fn wait_ready(server: &Server) -> Result<(), Unavailable> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match server.admin(&["SELECT 1"]) {
            Ok(()) => return Ok(()),
            Err(e) if Instant::now() > deadline => {
                return Err(unavailable(format!(
                    "the server never accepted connections: {e}"
                )));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// The driver's error with the server's message (its `Display` alone says only "db error").
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// Prints where the shared server lives; handy when a test fails and you want to look at it.
///
/// # Errors
///
/// The I/O error of writing to standard error.
pub fn describe_shared_server() -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    match shared_server() {
        Ok(server) => writeln!(err, "sehat-test-pg: {server:?}"),
        Err(e) => writeln!(err, "sehat-test-pg: no server: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_drops_the_database_and_parameters() {
        assert_eq!(
            base_url_of("postgres://u:p@127.0.0.1:5433/db?sslmode=disable"),
            "postgres://u:p@127.0.0.1:5433"
        );
        assert_eq!(base_url_of("postgres://u@h:1"), "postgres://u@h:1");
    }

    #[test]
    fn shell_quote_survives_quotes() {
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
    }

    #[test]
    fn databases_are_fresh_real_and_dropped() {
        let Some(db) = database() else { return };
        let other = database().expect("a second database on the same server");
        assert_ne!(db.url(), other.url());
        let name = db.name().to_owned();
        let server = db.server();
        // The database exists and is empty.
        server
            .admin(&[&format!(
                "SELECT 1 FROM pg_database WHERE datname = '{name}'"
            )])
            .expect("the server answers");
        let url = db.url().to_owned();
        let tables = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .expect("connect to the test database");
                tokio::spawn(conn);
                let row = client
                    .query_one(
                        "SELECT count(*) FROM information_schema.tables \
                         WHERE table_schema = 'public'",
                        &[],
                    )
                    .await
                    .expect("query");
                row.get::<_, i64>(0)
            })
        })
        .join()
        .expect("thread");
        assert_eq!(tables, 0);
        drop(db);
        // Dropped: connecting to it now fails.
        let url = other.url().replace(other.name(), &name);
        let err = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .err()
            })
        })
        .join()
        .expect("thread");
        let err = err.expect("the dropped database refuses connections");
        assert_eq!(
            err.as_db_error().map(|d| d.code().clone()),
            Some(tokio_postgres::error::SqlState::INVALID_CATALOG_NAME),
            "{}",
            describe(&err)
        );
    }

    #[test]
    fn an_owned_server_is_removed_when_dropped() {
        if skip_policy_allows_absence() {
            return;
        }
        let server = Server::start(Options { durable: true }).expect("a second server starts");
        let data = server.data_dir().expect("started here");
        assert!(data.join("PG_VERSION").is_file());
        server.admin(&["CREATE TABLE t (x int)"]).expect("usable");
        drop(server);
        assert!(!data.exists(), "{} left behind", data.display());
    }

    /// True only when the binaries are missing and skipping was asked for (outside CI).
    fn skip_policy_allows_absence() -> bool {
        find_bindir().is_err() && matches!(skip_policy(), Skip::Allowed)
    }
}

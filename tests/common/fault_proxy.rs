//! A TCP proxy in front of a real server that injects faults: it lets a set number of HTTP
//! requests through and then stops answering (open connections are cut, new ones refused, as
//! when the server goes down mid-run), or it answers the first requests with 429 Too Many
//! Requests and a Retry-After, as a rate-limited service does; or it answers some requests
//! with 500 and holds others back a while, as an overloaded service does; or it kills the
//! client process (SIGKILL) when a given request comes, before the server sees it or after
//! the server has done it but before the client hears. In every mode it records each
//! request's first line and the most requests in flight at once (sent, and not yet answered).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct FaultProxy {
    pub port: u16,
    down: Arc<AtomicBool>,
    shared: Arc<Shared>,
}

#[derive(Clone, Copy)]
enum Mode {
    /// Forwards this many requests, then goes down.
    CutAfter(usize),
    /// Answers this many requests with 429 and `Retry-After: secs`, then forwards all.
    Throttle { first: usize, secs: u64 },
    /// Forwards everything (to record what is sent).
    Record,
    /// Answers about `percent` of the requests with 500 (chosen by `seed`, the same every
    /// run), and holds each forwarded request back up to `delay_ms`.
    Flaky {
        seed: u64,
        percent: u64,
        delay_ms: u64,
    },
    /// Kills the process `Shared::victim` with SIGKILL when request `nth` (from 1) comes:
    /// before it reaches the server, or once the server has answered it (the answer is
    /// not passed on).
    Kill { nth: usize, after_answer: bool },
}

struct Shared {
    upstream: u16,
    mode: Mode,
    seen: AtomicUsize,
    throttled: AtomicUsize,
    down: Arc<AtomicBool>,
    open: Mutex<Vec<TcpStream>>,
    /// The first line of every request, in the order they came.
    lines: Mutex<Vec<String>>,
    /// The `Authorization` header of every request that had one, in order.
    authorizations: Mutex<Vec<String>>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    answered: AtomicUsize,
    failed: AtomicUsize,
    /// The process `Mode::Kill` kills (0: none yet).
    victim: AtomicU32,
    killed: AtomicBool,
}

impl FaultProxy {
    /// Forwards to `127.0.0.1:upstream` until `allow` requests have gone through.
    pub fn start(upstream: u16, allow: usize) -> FaultProxy {
        Self::with_mode(upstream, Mode::CutAfter(allow))
    }

    /// Answers the first `first` requests with 429 and `Retry-After: secs`.
    pub fn throttle(upstream: u16, first: usize, secs: u64) -> FaultProxy {
        Self::with_mode(upstream, Mode::Throttle { first, secs })
    }

    /// Forwards every request, recording them.
    pub fn record(upstream: u16) -> FaultProxy {
        Self::with_mode(upstream, Mode::Record)
    }

    /// Answers about `percent` of the requests with 500 and delays the others up to
    /// `delay_ms`, the same requests every time for the same `seed`.
    pub fn flaky(upstream: u16, seed: u64, percent: u64, delay_ms: u64) -> FaultProxy {
        Self::with_mode(
            upstream,
            Mode::Flaky {
                seed,
                percent,
                delay_ms,
            },
        )
    }

    /// Kills the process given to [`FaultProxy::victim`] at request `nth`: before the
    /// server sees it, or (`after_answer`) after the server has answered it.
    pub fn kill_at(upstream: u16, nth: usize, after_answer: bool) -> FaultProxy {
        Self::with_mode(upstream, Mode::Kill { nth, after_answer })
    }

    /// The process to kill (the `etl apply` under test).
    pub fn victim(&self, pid: u32) {
        self.shared.victim.store(pid, Ordering::SeqCst);
    }

    /// Whether the victim was killed.
    pub fn killed(&self) -> bool {
        self.shared.killed.load(Ordering::SeqCst)
    }

    /// How many requests were answered with 500 by the proxy.
    pub fn failed(&self) -> usize {
        self.shared.failed.load(Ordering::SeqCst)
    }

    /// The first line of every request so far (`PATCH /v2/Groups/17 HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.shared.lines.lock().unwrap().clone()
    }

    /// The `Authorization` header of every request so far (`Bearer ...`).
    pub fn authorizations(&self) -> Vec<String> {
        self.shared.authorizations.lock().unwrap().clone()
    }

    /// The most requests that were sent and not yet answered at the same time.
    pub fn peak_in_flight(&self) -> usize {
        self.shared.peak.load(Ordering::SeqCst)
    }

    /// How many requests were answered with 429.
    pub fn throttled(&self) -> usize {
        self.shared.throttled.load(Ordering::SeqCst)
    }

    fn with_mode(upstream: u16, mode: Mode) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            upstream,
            mode,
            seen: AtomicUsize::new(0),
            throttled: AtomicUsize::new(0),
            down: down.clone(),
            open: Mutex::new(Vec::new()),
            lines: Mutex::new(Vec::new()),
            authorizations: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            answered: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            victim: AtomicU32::new(0),
            killed: AtomicBool::new(false),
        });
        let accepting = shared.clone();
        std::thread::spawn(move || accept_loop(listener, accepting));
        FaultProxy { port, down, shared }
    }

    /// The proxy's address in front of scim2-server's `/v2`.
    pub fn url(&self) -> String {
        format!("{}/v2", self.base())
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn went_down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.down.store(true, Ordering::SeqCst);
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    // Dropping the listener when down makes new connections fail at once.
    while !shared.down.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((client, _)) => {
                let _ = client.set_nonblocking(false);
                let Ok(server) = TcpStream::connect(("127.0.0.1", shared.upstream)) else {
                    continue;
                };
                let mut open = shared.open.lock().unwrap();
                open.push(client.try_clone().unwrap());
                open.push(server.try_clone().unwrap());
                drop(open);
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (up, down) = (shared.clone(), shared.clone());
                std::thread::spawn(move || pump(client, server, Some(up)));
                std::thread::spawn(move || answers(s2, c2, &down));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Copies `from` to `to`; on the client's side, counts requests and cuts everything once
/// more than `allow` were asked.
fn pump(mut from: TcpStream, mut to: TcpStream, counter: Option<Arc<Shared>>) {
    let mut buf = [0u8; 16384];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some(shared) = &counter {
            let requests = count(&buf[..n], b" HTTP/1.1\r\n");
            record_lines(&buf[..n], shared);
            let now = shared.in_flight.fetch_add(requests, Ordering::SeqCst) + requests;
            shared.peak.fetch_max(now, Ordering::SeqCst);
            let before = shared.seen.fetch_add(requests, Ordering::SeqCst);
            match shared.mode {
                Mode::CutAfter(allow)
                    if before + requests > allow || shared.down.load(Ordering::SeqCst) =>
                {
                    shared.down.store(true, Ordering::SeqCst);
                    for s in shared.open.lock().unwrap().iter() {
                        let _ = s.shutdown(Shutdown::Both);
                    }
                    break;
                }
                Mode::Throttle { first, secs } if requests > 0 && before < first => {
                    shared.throttled.fetch_add(1, Ordering::SeqCst);
                    let answer = format!(
                        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: {secs}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    answer_here(&mut from, &answer, requests, shared);
                    break;
                }
                Mode::Flaky {
                    seed,
                    percent,
                    delay_ms,
                } if requests > 0 => {
                    let roll = mix(seed ^ before as u64);
                    if roll % 100 < percent {
                        shared.failed.fetch_add(1, Ordering::SeqCst);
                        let answer = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                        answer_here(&mut from, answer, requests, shared);
                        break;
                    }
                    std::thread::sleep(Duration::from_millis((roll >> 8) % (delay_ms + 1)));
                }
                Mode::Kill {
                    nth,
                    after_answer: false,
                } if before < nth && before + requests >= nth => {
                    kill_victim(shared);
                    break;
                }
                _ => {}
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Copies the server's answers to the client, counting each status line (`HTTP/1.0 200` or
/// `HTTP/1.1 200`: scim2-server answers in HTTP/1.0) as the end
/// of one request in flight.
fn answers(mut from: TcpStream, mut to: TcpStream, shared: &Shared) {
    let mut buf = [0u8; 16384];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let answered = count(&buf[..n], b"HTTP/1.");
        let _ = shared
            .in_flight
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| {
                Some(v.saturating_sub(answered))
            });
        let before = shared.answered.fetch_add(answered, Ordering::SeqCst);
        if let Mode::Kill {
            nth,
            after_answer: true,
        } = shared.mode
            && before < nth
            && before + answered >= nth
        {
            kill_victim(shared);
            break;
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Answers a request in the proxy's name and closes the connection.
fn answer_here(client: &mut TcpStream, answer: &str, requests: usize, shared: &Shared) {
    let _ = client.write_all(answer.as_bytes());
    let _ = client.shutdown(Shutdown::Both);
    // Answered here, not by the server: no longer in flight.
    shared.in_flight.fetch_sub(requests, Ordering::SeqCst);
}

/// SIGKILL to the victim, waited for; the proxy goes down with it.
fn kill_victim(shared: &Shared) {
    let mut pid = shared.victim.load(Ordering::SeqCst);
    for _ in 0..200 {
        if pid != 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
        pid = shared.victim.load(Ordering::SeqCst);
    }
    assert_ne!(pid, 0, "the proxy was given no process to kill");
    // Marked first: the test's wait for the process may return before `kill` does.
    shared.killed.store(true, Ordering::SeqCst);
    shared.down.store(true, Ordering::SeqCst);
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -KILL {pid}");
    for s in shared.open.lock().unwrap().iter() {
        let _ = s.shutdown(Shutdown::Both);
    }
}

/// A well-mixed number from `x` (splitmix64), to choose requests the same way every run.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Keeps the request lines and `Authorization` headers in `chunk` (a request's head arrives
/// in one read from a client that writes it at once, as reqwest does).
fn record_lines(chunk: &[u8], shared: &Shared) {
    let text = String::from_utf8_lossy(chunk);
    let found = text
        .split("\r\n")
        .filter(|l| l.ends_with(" HTTP/1.1"))
        .map(str::to_string);
    shared.lines.lock().unwrap().extend(found);
    let auth = text.split("\r\n").filter_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("authorization")
            .then(|| value.trim().to_string())
    });
    shared.authorizations.lock().unwrap().extend(auth);
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

//! The harness shared by the Rust peers: command line, flavors, timing, and
//! the workloads that need nothing but `send` and `recv`.
//!
//! The workloads are those of crossbeam-channel's `benchmarks/` directory:
//! MESSAGES = 5_000_000 one-word messages, THREADS = 4, over four flavors
//! (unbounded, bounded(0), bounded(1), bounded(MESSAGES)). Each run prints
//! one line, `<flavor>_<workload> <implementation> <seconds>`, which is what
//! `bench/report` parses.
//!
//!   <peer> [--messages N] [--threads N] [FILTER...]
//!
//! A FILTER is a substring of `<flavor>_<workload>`; with several, a run is
//! kept when any matches; with none, all run.

use std::time::Instant;

/// The payload: one machine word, like crossbeam's `message::Message` with
/// `LEN = 1` and Go's `uintptr`.
#[derive(Clone, Copy, Debug)]
pub struct Message(pub usize);

pub struct Config {
    pub messages: usize,
    pub threads: usize,
    filters: Vec<String>,
}

impl Config {
    pub fn from_args() -> Config {
        let mut config = Config {
            messages: 5_000_000,
            threads: 4,
            filters: Vec::new(),
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut number = |flag: &str| -> usize {
                let value = args
                    .next()
                    .unwrap_or_else(|| usage(&format!("{flag} needs a value")));
                match value.parse::<usize>() {
                    Ok(n) if n > 0 => n,
                    _ => usage(&format!("{flag} wants a positive integer, not {value:?}")),
                }
            };
            match arg.as_str() {
                "--messages" => config.messages = number("--messages"),
                "--threads" => config.threads = number("--threads"),
                "-h" | "--help" => usage(""),
                flag if flag.starts_with('-') => usage(&format!("unknown option {flag}")),
                filter => config.filters.push(filter.to_string()),
            }
        }
        config
    }

    /// Messages each of `threads` producers (or consumers) handles. The
    /// single-threaded side handles `per_thread() * threads` so that the two
    /// sides always agree, whatever `--messages` is.
    pub fn per_thread(&self) -> usize {
        self.messages / self.threads
    }

    pub fn total(&self) -> usize {
        self.per_thread() * self.threads
    }

    /// The four flavors in crossbeam's order of runs.
    pub fn flavors(&self) -> [Flavor; 4] {
        [
            Flavor::Bounded(0),
            Flavor::Bounded(1),
            Flavor::Bounded(self.messages),
            Flavor::Unbounded,
        ]
    }

    fn wants(&self, name: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| name.contains(f.as_str()))
    }

    /// Times `workload` and prints its line, unless the filters exclude it.
    pub fn run(&self, flavor: Flavor, workload: &str, implementation: &str, body: impl FnOnce()) {
        let name = format!("{}_{}", flavor.name(), workload);
        if !self.wants(&name) {
            return;
        }
        let start = Instant::now();
        body();
        let seconds = start.elapsed().as_secs_f64();
        println!("{name} {implementation} {seconds:.6}");
    }
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("error: {problem}");
    }
    eprintln!(
        "usage: {} [--messages N] [--threads N] [FILTER...]",
        std::env::args().next().unwrap_or_default()
    );
    std::process::exit(if problem.is_empty() { 0 } else { 2 });
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Unbounded,
    Bounded(usize),
}

impl Flavor {
    /// `bounded0`, `bounded1`, `boundedN` (any larger capacity), `unbounded`.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Unbounded => "unbounded",
            Flavor::Bounded(0) => "bounded0",
            Flavor::Bounded(1) => "bounded1",
            Flavor::Bounded(_) => "boundedN",
        }
    }

    /// `seq` sends everything before receiving anything, so it only runs
    /// where every message fits: unbounded and bounded(MESSAGES).
    pub fn holds_all(self) -> bool {
        !matches!(self, Flavor::Bounded(0) | Flavor::Bounded(1))
    }

    pub fn capacity(self) -> Option<usize> {
        match self {
            Flavor::Unbounded => None,
            Flavor::Bounded(cap) => Some(cap),
        }
    }

    /// A channel of this flavor, from an implementation's `unbounded()` and
    /// `bounded(cap)`.
    pub fn make<R>(self, unbounded: impl FnOnce() -> R, bounded: impl FnOnce(usize) -> R) -> R {
        match self.capacity() {
            None => unbounded(),
            Some(cap) => bounded(cap),
        }
    }
}

/// One channel implementation, seen through the two operations the plain
/// workloads use. Each operation panics if the other side is gone: in these
/// workloads that can only be a bug.
pub trait Channel {
    type Sender: Clone + Send;
    type Receiver: Send;
    fn new(flavor: Flavor) -> (Self::Sender, Self::Receiver);
    fn send(sender: &Self::Sender, message: Message);
    fn recv(receiver: &Self::Receiver) -> Message;
}

/// `impl_channel!(Name, SenderType, ReceiverType, |flavor: Flavor| ...)`
/// implements [`Channel`] for `Name`: the closure makes a channel of a
/// flavor, and the halves' own `send` and `recv` (each a `Result` that is an
/// error only when the other side is gone) are the two operations.
#[macro_export]
macro_rules! impl_channel {
    ($name:ident, $sender:ty, $receiver:ty, $new:expr) => {
        impl $crate::Channel for $name {
            type Sender = $sender;
            type Receiver = $receiver;
            fn new(flavor: $crate::Flavor) -> ($sender, $receiver) {
                ($new)(flavor)
            }
            fn send(sender: &$sender, message: $crate::Message) {
                sender.send(message).unwrap();
            }
            fn recv(receiver: &$receiver) -> $crate::Message {
                receiver.recv().unwrap()
            }
        }
    };
}

/// One thread sends every message into the channel, then receives them all.
pub fn seq<C: Channel>(config: &Config, flavor: Flavor) {
    let (tx, rx) = C::new(flavor);
    for i in 0..config.total() {
        C::send(&tx, Message(i));
    }
    receive::<C>(&rx, config.total());
}

/// Spawns `producers` threads on `scope`, each sending `count` messages
/// through its own clone of `tx`; the last one gets `tx` itself, so that a
/// single producer sends through an uncloned sender (std's mpsc before Rust
/// 1.67 switched to a slower flavor on the first clone).
fn spawn_producers<'scope, C: Channel + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    tx: C::Sender,
    producers: usize,
    count: usize,
) where
    C::Sender: 'scope,
{
    let clones: Vec<C::Sender> = (1..producers).map(|_| tx.clone()).collect();
    for tx in clones.into_iter().chain(std::iter::once(tx)) {
        scope.spawn(move || {
            for i in 0..count {
                C::send(&tx, Message(i));
            }
        });
    }
}

/// Receives `count` messages on the calling thread.
fn receive<C: Channel>(rx: &C::Receiver, count: usize) {
    for _ in 0..count {
        C::recv(rx);
    }
}

/// One producer thread, the main thread receives.
pub fn spsc<C: Channel>(config: &Config, flavor: Flavor) {
    let (tx, rx) = C::new(flavor);
    std::thread::scope(|scope| {
        spawn_producers::<C>(scope, tx, 1, config.total());
        receive::<C>(&rx, config.total());
    });
}

/// `threads` producers, the main thread receives.
pub fn mpsc<C: Channel>(config: &Config, flavor: Flavor) {
    let (tx, rx) = C::new(flavor);
    std::thread::scope(|scope| {
        spawn_producers::<C>(scope, tx, config.threads, config.per_thread());
        receive::<C>(&rx, config.total());
    });
}

/// `threads` producers and `threads` consumers on one channel.
pub fn mpmc<C: Channel>(config: &Config, flavor: Flavor)
where
    C::Receiver: Clone,
{
    let (tx, rx) = C::new(flavor);
    std::thread::scope(|scope| {
        spawn_producers::<C>(scope, tx, config.threads, config.per_thread());
        for _ in 0..config.threads {
            let rx = rx.clone();
            scope.spawn(move || receive::<C>(&rx, config.per_thread()));
        }
    });
}

/// One producer per channel, `threads` channels; the main thread receives
/// every message with `receive_any`, which waits on all the receivers at
/// once (a select built anew for each message, as in crossbeam's suite).
pub fn select_rx<C: Channel>(
    config: &Config,
    flavor: Flavor,
    receive_any: impl Fn(&[(C::Sender, C::Receiver)]),
) where
    C::Sender: Sync,
{
    let channels: Vec<_> = (0..config.threads).map(|_| C::new(flavor)).collect();
    std::thread::scope(|scope| {
        for (tx, _) in &channels {
            scope.spawn(move || {
                for i in 0..config.per_thread() {
                    C::send(tx, Message(i));
                }
            });
        }
        for _ in 0..config.total() {
            receive_any(&channels);
        }
    });
}

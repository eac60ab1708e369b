//! crossbeam-channel on crossbeam-channel's own benchmark workloads.
//! Usage and output: see the crate docs (src/lib.rs).

use channel_peers::{
    impl_channel, mpmc, mpsc, select_rx, seq, spsc, Channel, Config, Flavor, Message,
};
use crossbeam_channel::{Receiver, Select, Sender};

const NAME: &str = "crossbeam-channel";

struct Crossbeam;
impl_channel!(
    Crossbeam,
    Sender<Message>,
    Receiver<Message>,
    |flavor: Flavor| { flavor.make(crossbeam_channel::unbounded, crossbeam_channel::bounded) }
);

/// Sends `message` (Some) or receives (None) through whichever of `channels`
/// is ready first, waiting in a `Select` built anew for each message as in
/// crossbeam's suite.
fn select_one(channels: &[(Sender<Message>, Receiver<Message>)], message: Option<Message>) {
    let mut select = Select::new();
    for (tx, rx) in channels {
        match message {
            Some(_) => select.send(tx),
            None => select.recv(rx),
        };
    }
    let operation = select.select();
    let (tx, rx) = &channels[operation.index()];
    match message {
        Some(message) => operation.send(tx, message).unwrap(),
        None => {
            operation.recv(rx).unwrap();
        }
    }
}

/// `threads` producers each send through a `Select` over all senders, and
/// `threads` consumers each receive through a `Select` over all receivers.
fn select_both(config: &Config, flavor: Flavor) {
    let channels: Vec<_> = (0..config.threads)
        .map(|_| Crossbeam::new(flavor))
        .collect();
    let channels = &channels;
    std::thread::scope(|scope| {
        for _ in 0..config.threads {
            scope.spawn(move || {
                for i in 0..config.per_thread() {
                    select_one(channels, Some(Message(i)));
                }
            });
        }
        for _ in 0..config.threads {
            scope.spawn(move || {
                for _ in 0..config.per_thread() {
                    select_one(channels, None);
                }
            });
        }
    });
}

fn main() {
    let config = Config::from_args();
    for flavor in config.flavors() {
        config.run(flavor, "mpmc", NAME, || mpmc::<Crossbeam>(&config, flavor));
        config.run(flavor, "mpsc", NAME, || mpsc::<Crossbeam>(&config, flavor));
        config.run(flavor, "select_both", NAME, || select_both(&config, flavor));
        config.run(flavor, "select_rx", NAME, || {
            select_rx::<Crossbeam>(&config, flavor, |channels| select_one(channels, None))
        });
        if flavor.holds_all() {
            config.run(flavor, "seq", NAME, || seq::<Crossbeam>(&config, flavor));
        }
        config.run(flavor, "spsc", NAME, || spsc::<Crossbeam>(&config, flavor));
    }
}

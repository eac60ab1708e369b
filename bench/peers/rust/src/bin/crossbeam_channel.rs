//! crossbeam-channel on crossbeam-channel's own benchmark workloads.
//! Usage and output: see the crate docs (src/lib.rs).

use channel_peers::{mpmc, mpsc, seq, spsc, Channel, Config, Flavor, Message};
use crossbeam_channel::{Receiver, Select, Sender};

const NAME: &str = "crossbeam-channel";

struct Crossbeam;

impl Channel for Crossbeam {
    type Sender = Sender<Message>;
    type Receiver = Receiver<Message>;
    fn new(flavor: Flavor) -> (Sender<Message>, Receiver<Message>) {
        match flavor.capacity() {
            None => crossbeam_channel::unbounded(),
            Some(cap) => crossbeam_channel::bounded(cap),
        }
    }
    fn send(sender: &Sender<Message>, message: Message) {
        sender.send(message).unwrap();
    }
    fn recv(receiver: &Receiver<Message>) -> Message {
        receiver.recv().unwrap()
    }
}

/// One producer per channel, `threads` channels; the main thread receives
/// every message through a `Select` over all receivers, built anew for each
/// message as in crossbeam's suite.
fn select_rx(config: &Config, flavor: Flavor) {
    let channels: Vec<_> = (0..config.threads)
        .map(|_| Crossbeam::new(flavor))
        .collect();
    std::thread::scope(|scope| {
        for (tx, _) in &channels {
            scope.spawn(move || {
                for i in 0..config.per_thread() {
                    tx.send(Message(i)).unwrap();
                }
            });
        }
        for _ in 0..config.total() {
            let mut select = Select::new();
            for (_, rx) in &channels {
                select.recv(rx);
            }
            let operation = select.select();
            let index = operation.index();
            operation.recv(&channels[index].1).unwrap();
        }
    });
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
                    let mut select = Select::new();
                    for (tx, _) in channels {
                        select.send(tx);
                    }
                    let operation = select.select();
                    let index = operation.index();
                    operation.send(&channels[index].0, Message(i)).unwrap();
                }
            });
        }
        for _ in 0..config.threads {
            scope.spawn(move || {
                for _ in 0..config.per_thread() {
                    let mut select = Select::new();
                    for (_, rx) in channels {
                        select.recv(rx);
                    }
                    let operation = select.select();
                    let index = operation.index();
                    operation.recv(&channels[index].1).unwrap();
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
        config.run(flavor, "select_rx", NAME, || select_rx(&config, flavor));
        if flavor.holds_all() {
            config.run(flavor, "seq", NAME, || seq::<Crossbeam>(&config, flavor));
        }
        config.run(flavor, "spsc", NAME, || spsc::<Crossbeam>(&config, flavor));
    }
}

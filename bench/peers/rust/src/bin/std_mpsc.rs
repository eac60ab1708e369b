//! std::sync::mpsc on crossbeam-channel's benchmark workloads: `channel()`
//! for unbounded, `sync_channel(cap)` for the bounded flavors. Its receiver
//! is single-consumer and it has no select, so it runs seq, spsc and mpsc
//! only, as crossbeam's `benchmarks/mpsc.rs` does. Usage and output: see
//! src/lib.rs.

use channel_peers::{mpsc, seq, spsc, Channel, Config, Flavor, Message};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};

const NAME: &str = "std-mpsc";

/// `channel()`: the unbounded flavor.
struct Async;

impl Channel for Async {
    type Sender = Sender<Message>;
    type Receiver = Receiver<Message>;
    fn new(flavor: Flavor) -> (Sender<Message>, Receiver<Message>) {
        assert!(
            flavor == Flavor::Unbounded,
            "std-mpsc: channel() is unbounded only"
        );
        channel()
    }
    fn send(sender: &Sender<Message>, message: Message) {
        sender.send(message).unwrap();
    }
    fn recv(receiver: &Receiver<Message>) -> Message {
        receiver.recv().unwrap()
    }
}

/// `sync_channel(cap)`: the bounded flavors.
struct Sync;

impl Channel for Sync {
    type Sender = SyncSender<Message>;
    type Receiver = Receiver<Message>;
    fn new(flavor: Flavor) -> (SyncSender<Message>, Receiver<Message>) {
        sync_channel(
            flavor
                .capacity()
                .expect("std-mpsc: sync_channel() is bounded only"),
        )
    }
    fn send(sender: &SyncSender<Message>, message: Message) {
        sender.send(message).unwrap();
    }
    fn recv(receiver: &Receiver<Message>) -> Message {
        receiver.recv().unwrap()
    }
}

fn main() {
    let config = Config::from_args();
    for flavor in config.flavors() {
        if flavor == Flavor::Unbounded {
            config.run(flavor, "mpsc", NAME, || mpsc::<Async>(&config, flavor));
            config.run(flavor, "seq", NAME, || seq::<Async>(&config, flavor));
            config.run(flavor, "spsc", NAME, || spsc::<Async>(&config, flavor));
        } else {
            config.run(flavor, "mpsc", NAME, || mpsc::<Sync>(&config, flavor));
            if flavor.holds_all() {
                config.run(flavor, "seq", NAME, || seq::<Sync>(&config, flavor));
            }
            config.run(flavor, "spsc", NAME, || spsc::<Sync>(&config, flavor));
        }
    }
}

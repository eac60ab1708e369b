//! std::sync::mpsc on crossbeam-channel's benchmark workloads: `channel()`
//! for unbounded, `sync_channel(cap)` for the bounded flavors. Its receiver
//! is single-consumer and it has no select, so it runs seq, spsc and mpsc
//! only, as crossbeam's `benchmarks/mpsc.rs` does. Usage and output: see
//! src/lib.rs.

use channel_peers::{impl_channel, mpsc, seq, spsc, Config, Flavor, Message};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};

const NAME: &str = "std-mpsc";

/// `channel()`: the unbounded flavor.
struct Async;
impl_channel!(
    Async,
    Sender<Message>,
    Receiver<Message>,
    |flavor: Flavor| {
        assert!(
            flavor == Flavor::Unbounded,
            "std-mpsc: channel() is unbounded only"
        );
        channel()
    }
);

/// `sync_channel(cap)`: the bounded flavors.
struct Sync;
impl_channel!(
    Sync,
    SyncSender<Message>,
    Receiver<Message>,
    |flavor: Flavor| {
        sync_channel(
            flavor
                .capacity()
                .expect("std-mpsc: sync_channel() is bounded only"),
        )
    }
);

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

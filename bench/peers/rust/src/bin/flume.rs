//! flume on crossbeam-channel's benchmark workloads. crossbeam's own
//! `benchmarks/flume.rs` runs only seq, spsc and mpsc (and skips bounded(0));
//! flume is multi-consumer and has a `Selector`, so this peer also runs mpmc
//! and select_rx, on every flavor. It leaves out select_both: with a
//! `Selector` sending on one side and one receiving on the other, flume
//! 0.10.14 (Debian's) hangs, at once on bounded channels and in most runs on
//! unbounded ones (the Selector race reported as flume issue #44). Usage and
//! output: see src/lib.rs.

use channel_peers::{impl_channel, mpmc, mpsc, select_rx, seq, spsc, Config, Flavor, Message};
use flume::{Receiver, Selector, Sender};

const NAME: &str = "flume";

struct Flume;
impl_channel!(
    Flume,
    Sender<Message>,
    Receiver<Message>,
    |flavor: Flavor| { flavor.make(flume::unbounded, flume::bounded) }
);

/// Receives one message from whichever receiver is ready first, through a
/// `Selector` over all of them.
fn receive_any(channels: &[(Sender<Message>, Receiver<Message>)]) {
    let mut selector = Selector::new();
    for (_, rx) in channels {
        selector = selector.recv(rx, |received| {
            received.unwrap();
        });
    }
    selector.wait();
}

fn main() {
    let config = Config::from_args();
    for flavor in config.flavors() {
        config.run(flavor, "mpmc", NAME, || mpmc::<Flume>(&config, flavor));
        config.run(flavor, "mpsc", NAME, || mpsc::<Flume>(&config, flavor));
        config.run(flavor, "select_rx", NAME, || {
            select_rx::<Flume>(&config, flavor, receive_any)
        });
        if flavor.holds_all() {
            config.run(flavor, "seq", NAME, || seq::<Flume>(&config, flavor));
        }
        config.run(flavor, "spsc", NAME, || spsc::<Flume>(&config, flavor));
    }
}

//! Connections to a collector.
//!
//! # Noticing a dead collector
//!
//! Plain syslog has no acknowledgements, and a `write(2)` to a TCP socket
//! whose peer is gone usually succeeds once: the data lands in the send
//! buffer, and only the peer's RST makes the *next* call fail. So before and
//! after every batch the connection is probed with a non-blocking read: EOF
//! (the collector closed) or an error (RST) means the batch is not counted as
//! shipped, the connection is dropped, and the batch is sent again from the
//! checkpoint after reconnecting. Data the collector accepted but did not
//! process before crashing cannot be detected without an application-level
//! acknowledgement (RELP); together with re-sending that makes delivery
//! *at least once*: a restart can duplicate up to one batch, never lose one
//! that the probe saw fail.
//!
//! For UDP the same probe collects ICMP "port unreachable" errors, which the
//! kernel reports on a connected UDP socket; on the local host that makes a
//! stopped collector visible too. Over a network UDP stays best effort.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

use crate::config::Transport;

/// A TCP batch is written once it reaches this size.
pub(crate) const TCP_BATCH: usize = 64 << 10;
/// UDP datagrams are probed for errors after this many payload bytes.
pub(crate) const UDP_BATCH: usize = 64 << 10;

pub(crate) enum Conn {
    Tcp {
        stream: TcpStream,
        out: Vec<u8>,
    },
    Udp {
        socket: UdpSocket,
        since_probe: usize,
        pace: Pace,
    },
}

/// Spreads UDP datagrams over time. A collector's receive buffer holds a few
/// hundred messages; a backlog sent as one burst after an outage would
/// overflow it and be lost silently. After each (re)connect the rate starts
/// low and doubles every second up to the limit: a collector that just
/// restarted is not draining its socket yet.
pub(crate) struct Pace {
    per_second: u32,
    connected: std::time::Instant,
    window_start: std::time::Instant,
    sent: u32,
}

/// Datagrams per second right after a (re)connect.
const SLOW_START_RATE: u32 = 200;

/// Datagrams per pacing window (a twentieth of a second).
const PACE_WINDOWS_PER_SECOND: u32 = 20;

impl Pace {
    pub fn new(per_second: u32) -> Pace {
        let now = std::time::Instant::now();
        Pace {
            per_second,
            connected: now,
            window_start: now,
            sent: 0,
        }
    }

    /// Waits, if needed, until one more datagram may go out.
    fn wait(&mut self) {
        if self.per_second == 0 {
            return;
        }
        let window = Duration::from_secs(1) / PACE_WINDOWS_PER_SECOND;
        let doublings = self.connected.elapsed().as_secs().min(16) as u32;
        let rate = SLOW_START_RATE
            .saturating_mul(1 << doublings)
            .min(self.per_second);
        let per_window = (rate / PACE_WINDOWS_PER_SECOND).max(1);
        let elapsed = self.window_start.elapsed();
        if elapsed >= window {
            self.window_start = std::time::Instant::now();
            self.sent = 0;
        } else if self.sent >= per_window {
            std::thread::sleep(window - elapsed);
            self.window_start = std::time::Instant::now();
            self.sent = 0;
        }
        self.sent += 1;
    }
}

impl Conn {
    pub fn connect(
        transport: Transport,
        host: &str,
        port: u16,
        connect_timeout: Duration,
        write_timeout: Duration,
        udp_rate: u32,
    ) -> io::Result<Conn> {
        let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
        let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{host}: no addresses"));
        for addr in addrs {
            let attempt = match transport {
                Transport::Tcp => {
                    TcpStream::connect_timeout(&addr, connect_timeout).and_then(|stream| {
                        stream.set_write_timeout(Some(write_timeout))?;
                        stream.set_read_timeout(Some(write_timeout))?;
                        stream.set_nodelay(true)?;
                        Ok(Conn::Tcp {
                            stream,
                            out: Vec::with_capacity(TCP_BATCH + 4096),
                        })
                    })
                }
                Transport::Udp => {
                    let bind: SocketAddr = if addr.is_ipv4() {
                        ([0, 0, 0, 0], 0).into()
                    } else {
                        ([0u16; 8], 0).into()
                    };
                    UdpSocket::bind(bind).and_then(|socket| {
                        socket.connect(addr)?;
                        socket.set_write_timeout(Some(write_timeout))?;
                        Ok(Conn::Udp {
                            socket,
                            since_probe: 0,
                            pace: Pace::new(udp_rate),
                        })
                    })
                }
            };
            match attempt {
                Ok(conn) => return Ok(conn),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Bytes handed over since the last successful [`Conn::flush`].
    pub fn pending(&self) -> usize {
        match self {
            Conn::Tcp { out, .. } => out.len(),
            Conn::Udp { since_probe, .. } => *since_probe,
        }
    }

    /// The TCP output buffer (frames are appended to it).
    pub fn tcp_buffer(&mut self) -> Option<&mut Vec<u8>> {
        match self {
            Conn::Tcp { out, .. } => Some(out),
            Conn::Udp { .. } => None,
        }
    }

    /// Sends one UDP datagram.
    pub fn send_datagram(&mut self, datagram: &[u8]) -> io::Result<()> {
        match self {
            Conn::Udp {
                socket,
                since_probe,
                pace,
            } => {
                pace.wait();
                let n = socket.send(datagram)?;
                if n != datagram.len() {
                    return Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "datagram sent partially",
                    ));
                }
                *since_probe += datagram.len();
                Ok(())
            }
            Conn::Tcp { .. } => Err(io::Error::other("not a UDP connection")),
        }
    }

    /// Writes everything buffered and checks the peer is still there. Only
    /// after `Ok` may the checkpoint move past what was handed over.
    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Tcp { stream, out } => {
                if !out.is_empty() {
                    probe_tcp(stream)?;
                    stream.write_all(out)?;
                    out.clear();
                }
                probe_tcp(stream)
            }
            Conn::Udp {
                socket,
                since_probe,
                ..
            } => {
                *since_probe = 0;
                probe_udp(socket)
            }
        }
    }
}

fn probe_tcp(stream: &mut TcpStream) -> io::Result<()> {
    stream.set_nonblocking(true)?;
    let mut scratch = [0u8; 512];
    let mut result = Ok(());
    // A collector has nothing to say; whatever it sends is read and ignored
    // (bounded, so a chatty peer cannot keep us here).
    for _ in 0..64 {
        match stream.read(&mut scratch) {
            Ok(0) => {
                result = Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "collector closed the connection",
                ));
                break;
            }
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    stream.set_nonblocking(false)?;
    result
}

fn probe_udp(socket: &UdpSocket) -> io::Result<()> {
    socket.set_nonblocking(true)?;
    let mut scratch = [0u8; 64];
    let mut result = Ok(());
    for _ in 0..64 {
        match socket.recv(&mut scratch) {
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    socket.set_nonblocking(false)?;
    result
}

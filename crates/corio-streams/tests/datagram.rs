//! UDP and Unix datagram round trips.

use corio::streams::{UdpSocket, UnixDatagram};

#[test]
fn udp_round_trip_v4_and_v6() {
    corio::run(async {
        for addr in ["127.0.0.1:0", "[::1]:0"] {
            let server = UdpSocket::bind(addr).await.unwrap();
            let client = UdpSocket::bind(addr).await.unwrap();
            client.connect(server.local_addr().unwrap()).await.unwrap();
            client.send(b"ping").await.unwrap();
            let mut buf = [0; 64];
            let (n, from) = server.recv_from(&mut buf).await.unwrap();
            assert_eq!(
                (&buf[..n], from),
                (&b"ping"[..], client.local_addr().unwrap())
            );
            server.send_to(b"pong", from).await.unwrap();
            let n = client.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"pong");
        }
    });
}

#[test]
fn unix_datagram_round_trip() {
    corio::run(async {
        let dir = std::env::temp_dir();
        let pid = std::process::id();
        let server_path = dir.join(format!("corio-dgram-s-{pid}.sock"));
        let client_path = dir.join(format!("corio-dgram-c-{pid}.sock"));
        let _ = std::fs::remove_file(&server_path);
        let _ = std::fs::remove_file(&client_path);
        let server = UnixDatagram::bind(&server_path).unwrap();
        let client = UnixDatagram::bind(&client_path).unwrap();
        client.send_to(b"ping", &server_path).await.unwrap();
        let mut buf = [0; 64];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"ping");
        assert_eq!(from.as_pathname(), Some(client_path.as_path()));
        server.send_to(b"pong", &client_path).await.unwrap();
        let n = client.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"pong");
        let err = client
            .send_to(b"x", dir.join("corio-no-such.sock"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("corio-no-such.sock"), "{err}");
        let _ = std::fs::remove_file(&server_path);
        let _ = std::fs::remove_file(&client_path);
    });
}

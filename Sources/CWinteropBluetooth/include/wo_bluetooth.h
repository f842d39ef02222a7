#ifndef WO_BLUETOOTH_H
#define WO_BLUETOOTH_H

#include <stdint.h>

/// RFCOMM sockets through Linux's AF_BLUETOOTH, without BlueZ's headers (Glibc has no
/// sockaddr_rc). Every function returns a file descriptor or 0 on success, or -errno.

/// A new RFCOMM stream socket that requires an authenticated and encrypted link
/// (RFCOMM_LM_AUTH | RFCOMM_LM_ENCRYPT): MS-TCC 2.1 and 5.1 require a paired channel.
int wo_rfcomm_socket(void);

/// Binds `fd` to RFCOMM channel `channel` (1-30) on any local adapter and listens.
int wo_rfcomm_listen(int fd, uint8_t channel, int backlog);

/// Connects `fd` to `address` (6 bytes, most significant first, as written 00:1A:…) on `channel`.
int wo_rfcomm_connect(int fd, const uint8_t *address, uint8_t channel);

/// An L2CAP SEQPACKET socket connected to `address`'s SDP server (PSM 1), with
/// `timeout_seconds` for every send and receive.
int wo_l2cap_connect_sdp(const uint8_t *address, int timeout_seconds);

/// Whether the kernel offers AF_BLUETOOTH RFCOMM sockets at all: 0 when it does, else -errno.
int wo_bluetooth_available(void);

#endif

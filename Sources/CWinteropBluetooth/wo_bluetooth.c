#include "wo_bluetooth.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Values from the Linux kernel's include/net/bluetooth/{bluetooth,rfcomm}.h. */
#define WO_AF_BLUETOOTH 31
#define WO_BTPROTO_RFCOMM 3
#define WO_SOL_RFCOMM 18
#define WO_RFCOMM_LM 0x03
#define WO_RFCOMM_LM_AUTH 0x0002
#define WO_RFCOMM_LM_ENCRYPT 0x0004

/* struct sockaddr_rc: the address is stored least significant byte first (bdaddr_t). */
struct wo_sockaddr_rc {
    sa_family_t rc_family;
    uint8_t rc_bdaddr[6];
    uint8_t rc_channel;
};

int wo_rfcomm_socket(void) {
    int fd = socket(WO_AF_BLUETOOTH, SOCK_STREAM | SOCK_CLOEXEC, WO_BTPROTO_RFCOMM);
    if (fd < 0) return -errno;
    int mode = WO_RFCOMM_LM_AUTH | WO_RFCOMM_LM_ENCRYPT;
    if (setsockopt(fd, WO_SOL_RFCOMM, WO_RFCOMM_LM, &mode, sizeof(mode)) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int wo_rfcomm_listen(int fd, uint8_t channel, int backlog) {
    struct wo_sockaddr_rc address;
    memset(&address, 0, sizeof(address));
    address.rc_family = WO_AF_BLUETOOTH;
    address.rc_channel = channel; /* rc_bdaddr all zero: BDADDR_ANY */
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0) return -errno;
    if (listen(fd, backlog) < 0) return -errno;
    return 0;
}

int wo_rfcomm_connect(int fd, const uint8_t *bytes, uint8_t channel) {
    struct wo_sockaddr_rc address;
    memset(&address, 0, sizeof(address));
    address.rc_family = WO_AF_BLUETOOTH;
    for (int i = 0; i < 6; i++) address.rc_bdaddr[i] = bytes[5 - i];
    address.rc_channel = channel;
    if (connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0) return -errno;
    return 0;
}

#define WO_BTPROTO_L2CAP 0

/* struct sockaddr_l2: PSM little-endian, address least significant byte first. */
struct wo_sockaddr_l2 {
    sa_family_t l2_family;
    uint16_t l2_psm;
    uint8_t l2_bdaddr[6];
    uint16_t l2_cid;
    uint8_t l2_bdaddr_type;
};

int wo_l2cap_connect_sdp(const uint8_t *bytes, int timeout_seconds) {
    int fd = socket(WO_AF_BLUETOOTH, SOCK_SEQPACKET | SOCK_CLOEXEC, WO_BTPROTO_L2CAP);
    if (fd < 0) return -errno;
    struct timeval timeout = { .tv_sec = timeout_seconds, .tv_usec = 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    struct wo_sockaddr_l2 address;
    memset(&address, 0, sizeof(address));
    address.l2_family = WO_AF_BLUETOOTH;
    address.l2_psm = 1; /* SDP; little-endian on the wire, and x86/ARM are little-endian hosts */
    for (int i = 0; i < 6; i++) address.l2_bdaddr[i] = bytes[5 - i];
    if (connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int wo_bluetooth_available(void) {
    int fd = socket(WO_AF_BLUETOOTH, SOCK_STREAM | SOCK_CLOEXEC, WO_BTPROTO_RFCOMM);
    if (fd < 0) return -errno;
    close(fd);
    return 0;
}

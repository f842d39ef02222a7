#include "wo_bluetooth.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
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

int wo_bluetooth_available(void) {
    int fd = socket(WO_AF_BLUETOOTH, SOCK_STREAM | SOCK_CLOEXEC, WO_BTPROTO_RFCOMM);
    if (fd < 0) return -errno;
    close(fd);
    return 0;
}

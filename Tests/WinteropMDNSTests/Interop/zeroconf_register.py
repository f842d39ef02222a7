"""Registers a DNS-SD service with python-zeroconf (an independent mDNS responder)
until killed, printing "registered" once it is announced.

usage: zeroconf_register.py INSTANCE TYPE PORT HOST KEY=VALUE...
"""
import signal
import socket
import sys
import time

from zeroconf import IPVersion, ServiceInfo, Zeroconf


def main():
    instance, service_type, port, host = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    properties = dict(item.split("=", 1) for item in sys.argv[5:])
    zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    info = ServiceInfo(
        service_type, f"{instance}.{service_type}", port=port, server=host,
        addresses=[socket.inet_aton("127.0.0.1")], properties=properties,
    )
    zc.register_service(info)
    print("registered", flush=True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop:
        time.sleep(0.1)
    zc.unregister_service(info)
    zc.close()


if __name__ == "__main__":
    main()

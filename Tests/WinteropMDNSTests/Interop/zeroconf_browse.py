"""Browses a DNS-SD service type with python-zeroconf (an independent mDNS
implementation) and prints one JSON object per resolved instance.

usage: zeroconf_browse.py TYPE SECONDS   e.g. zeroconf_browse.py _display._tcp.local. 3
"""
import json
import sys
import time

from zeroconf import IPVersion, ServiceBrowser, ServiceListener, Zeroconf


class Collector(ServiceListener):
    def __init__(self):
        self.names = []

    def add_service(self, zc, type_, name):
        self.names.append(name)

    def update_service(self, zc, type_, name):
        pass

    def remove_service(self, zc, type_, name):
        pass


def main():
    service_type, seconds = sys.argv[1], float(sys.argv[2])
    zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    collector = Collector()
    ServiceBrowser(zc, service_type, collector)
    deadline = time.time() + seconds
    while time.time() < deadline and not collector.names:
        time.sleep(0.05)
    for name in collector.names:
        info = zc.get_service_info(service_type, name, timeout=2000)
        if info is None:
            print(json.dumps({"name": name, "resolved": False}), flush=True)
            continue
        print(json.dumps({
            "name": name,
            "resolved": True,
            "server": info.server,
            "port": info.port,
            "addresses": info.parsed_addresses(),
            "txt": {k.decode(): (v.decode() if v is not None else None) for k, v in info.properties.items()},
        }), flush=True)
    zc.close()


if __name__ == "__main__":
    main()

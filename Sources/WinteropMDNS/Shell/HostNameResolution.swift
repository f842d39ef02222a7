#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore
import NIOPosix

/// The outcome of MS-MICE host name resolution (3.2.5.1, 3.2.5.3).
public struct HostNameResolution: Sendable, Hashable {
    public enum Source: String, Sendable, Hashable {
        /// Multicast DNS answered ("name.local").
        case mdns
        /// The system resolver (DNS) answered.
        case dns
        /// Nothing answered before the Discovery timer expired: fall back to standard Miracast.
        case none
    }

    /// The addresses found (port 0), IPv4 first.
    public var addresses: [SocketAddress]
    public var source: Source

    public init(addresses: [SocketAddress], source: Source) {
        self.addresses = addresses
        self.source = source
    }
}

extension MDNSQuerier {
    /// MS-MICE 3.2.5.1 host name resolution as Windows does it (<6>, <7>): DNS (the system
    /// resolver, on the bare name) and mDNS (on "name.local") in parallel under the
    /// Discovery timer (1.5 s on Windows); the first non-empty answer wins. With
    /// `preferMDNS` (Windows does so on a VPN) a DNS answer waits for mDNS to answer or
    /// time out, and mDNS wins if it answers.
    ///
    /// Never throws for a failed lookup: `source` is `.none` when nothing answered.
    public static func resolveHostWithDNS(
        _ hostName: String, timeout: TimeAmount = .milliseconds(1500), preferMDNS: Bool = false,
        eventLoopGroup: any EventLoopGroup
    ) async -> HostNameResolution {
        let bare = hostName.hasSuffix(".local") ? String(hostName.dropLast(6)) : hostName
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .nanoseconds(timeout.nanoseconds))
        return await withTaskGroup(of: HostNameResolution?.self) { group in
            group.addTask {
                let addresses = (try? await resolveHost(hostName, timeout: timeout, eventLoopGroup: eventLoopGroup)) ?? []
                return HostNameResolution(addresses: addresses, source: .mdns)
            }
            group.addTask {
                let addresses = await systemResolve(bare)
                return HostNameResolution(addresses: addresses, source: .dns)
            }
            group.addTask {
                // The Discovery timer (3.2.2).
                try? await Task.sleep(until: deadline, clock: clock)
                return nil
            }
            var dnsAnswer: HostNameResolution?
            var finished = 0
            for await result in group {
                guard let result else {
                    group.cancelAll()
                    break  // Discovery timer expired.
                }
                finished += 1
                if !result.addresses.isEmpty {
                    if result.source == .dns && preferMDNS {
                        dnsAnswer = result
                    } else {
                        group.cancelAll()
                        return result
                    }
                }
                if finished == 2 { group.cancelAll(); break }
            }
            return dnsAnswer ?? HostNameResolution(addresses: [], source: .none)
        }
    }

    /// getaddrinfo on a thread of NIO's pool (it blocks); empty when it fails. Returns at
    /// once, with nothing, when the task is cancelled (the Discovery timer expired), even
    /// though the lookup itself runs on to its end.
    static func systemResolve(_ name: String) async -> [SocketAddress] {
        let once = ResumeOnce()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[SocketAddress], Never>) in
                once.install(continuation)
                NIOThreadPool.singleton.submit { state in
                    once.resume(state == .active ? blockingGetaddrinfo(name) : [])
                }
            }
        } onCancel: {
            once.resume([])
        }
    }

    static func blockingGetaddrinfo(_ name: String) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var seen: Set<String> = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = current.pointee.ai_addr {
                let socketAddress: SocketAddress?
                switch Int32(current.pointee.ai_family) {
                case AF_INET:
                    socketAddress = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: name) }
                case AF_INET6:
                    socketAddress = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: name) }
                default:
                    socketAddress = nil
                }
                if let socketAddress, let text = socketAddress.ipAddress, seen.insert(text).inserted {
                    addresses.append(socketAddress)
                }
            }
            entry = current.pointee.ai_next
        }
        return addresses.filter { if case .v4 = $0 { true } else { false } } + addresses.filter { if case .v6 = $0 { true } else { false } }
    }
}

/// Resumes a continuation exactly once, whichever of the lookup and the cancellation comes first.
final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<[SocketAddress], Never>?
    private var early: [SocketAddress]?
    private var done = false

    func install(_ continuation: CheckedContinuation<[SocketAddress], Never>) {
        lock.lock()
        if let early, !done {
            done = true
            lock.unlock()
            continuation.resume(returning: early)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func resume(_ value: [SocketAddress]) {
        lock.lock()
        guard !done else { lock.unlock(); return }
        guard let continuation else {
            early = value
            lock.unlock()
            return
        }
        done = true
        self.continuation = nil
        lock.unlock()
        continuation.resume(returning: value)
    }
}

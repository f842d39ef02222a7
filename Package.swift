// swift-tools-version: 6.1
//
// winterop: Swift implementations of MS-MICE, MS-GRVSSTP, MS-WDSMSI, MS-NFPS and MS-TCC.
// Layers (see DESIGN in the README): WinteropWire (bounds-checked bytes) → one sans-IO
// core per protocol (`*Core`) → NIO role shells (`*Roles`) → the `winterop` CLI.
// Benchmarks/ and FuzzTesting/ are separate packages so `swift build`/`swift test` stay fast.
//
// Each protocol keeps its targets in its own region below (MARK lines), so work on
// one protocol does not touch another's lines.

import PackageDescription

let nio: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let propertyBased: Target.Dependency = .product(name: "PropertyBased", package: "swift-property-based")

var targets: [Target] = [
    // MARK: Foundation
    // Layer 1: bytes. No protocol knowledge, no I/O.
    .target(name: "WinteropWire", dependencies: [nio]),
    // Output formatting: the ordered JSON value every `--json` line and `decode` use.
    .target(name: "WinteropFormat", dependencies: ["WinteropWire"]),
    // Layer 3: shared transport helpers (listen addresses, JSON events, serve roles).
    .target(
        name: "WinteropTransport",
        dependencies: [
            "WinteropWire", "WinteropFormat", "CWinteropAllocator", nio, nioPosix,
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
    .target(name: "CWinteropAllocator"),
    .testTarget(name: "WinteropWireTests", dependencies: ["WinteropWire", "WinteropFormat", propertyBased]),
    .testTarget(name: "WinteropTransportTests", dependencies: ["WinteropTransport", "WinteropWire", "WinteropFormat", nio, nioPosix]),
    .testTarget(name: "FuzzRegressionTests", dependencies: ["WinteropFuzzTargets"]),
    .testTarget(name: "CLITests", dependencies: ["WinteropWire", "WinteropFormat", "WinteropTestSupport"]),
    // Shared by the test targets: runs `winterop` and independent peers as child processes.
    .target(
        name: "WinteropTestSupport",
        dependencies: ["WinteropTransport", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
        path: "Tests/WinteropTestSupport"
    ),

    // MARK: MS-MICE
    .target(name: "MICECore", dependencies: ["WinteropWire", "WinteropFormat", nio, crypto]),
    .testTarget(name: "MICECoreTests", dependencies: ["MICECore", "WinteropWire", "WinteropFormat", nio, propertyBased]),
    // NIO shells of the MS-MICE roles: sink server, source client, RTSP listener and connect-back.
    .target(
        name: "MICERoles",
        dependencies: [
            "MICECore", "WFDCore", "WFDRoles", "WinteropWire", "WinteropFormat", "WinteropTransport", "WinteropMDNS", "WinteropDTLS", nio, nioPosix,
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
    .testTarget(
        name: "MICERolesTests",
        dependencies: ["MICERoles", "MICECore", "WinteropWire", "WinteropFormat", "WinteropTransport", "WinteropMDNS", "WinteropTestSupport", nio, nioPosix, .product(name: "NIOEmbedded", package: "swift-nio")],
        exclude: ["Interop"]
    ),

    // MARK: MS-MICE DTLS (OpenSSL)
    // DTLS 1.2 tunnelled through MS-MICE's TCP 7250 connection, on the system's OpenSSL 3
    // (Debian: `apt-get install libssl-dev`). The C shim keeps OpenSSL's headers out of Swift.
    .target(
        name: "CWinteropOpenSSL",
        linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]
    ),
    .target(name: "WinteropDTLS", dependencies: ["CWinteropOpenSSL"]),
    .testTarget(name: "WinteropDTLSTests", dependencies: ["WinteropDTLS", "WinteropTestSupport", propertyBased]),

    // MARK: MS-MICE mDNS
    // Multicast DNS / DNS-SD (RFC 6762, RFC 6763): codec and responder state machine
    // (sans-IO), NIO multicast shell, querier. MS-MICE 3.1.3 and 3.2.5.1 use it.
    .target(
        name: "WinteropMDNS",
        dependencies: [
            "WinteropWire", "WinteropFormat", "WinteropTransport", nio, nioPosix,
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
    .testTarget(
        name: "WinteropMDNSTests",
        dependencies: ["WinteropMDNS", "WinteropWire", "WinteropFormat", "WinteropTestSupport", nio, nioPosix, propertyBased],
        exclude: ["Interop"]  // python-zeroconf helper scripts the namespace tests run
    ),

    // MARK: Wi-Fi Display (MS-MICE projection)
    // The Wi-Fi Display R1 session after MS-MICE's connect-back (3.1.7, 3.2.5.7): RTSP codec,
    // wfd_* parameters, sink and source session state machines, RTP/MPEG-TS media path (sans-IO).
    .target(name: "WFDCore", dependencies: ["WinteropWire", "WinteropFormat", nio]),
    .testTarget(name: "WFDCoreTests", dependencies: ["WFDCore", "WinteropWire", "WinteropFormat", "WinteropTestSupport", nio, propertyBased]),
    // NIO shells: the RTSP session handler (sink and source), RTP over UDP, the player pipe.
    .target(
        name: "WFDRoles",
        dependencies: [
            "WFDCore", "WinteropWire", "WinteropFormat", "WinteropTransport", nio, nioPosix,
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]
    ),
    .testTarget(name: "WFDRolesTests", dependencies: ["WFDRoles", "WFDCore", "WinteropTestSupport", "WinteropDTLS", nio, nioPosix, .product(name: "NIOEmbedded", package: "swift-nio")]),

    // MARK: MS-GRVSSTP
    .target(name: "SSTPCore", dependencies: ["WinteropWire", "WinteropFormat", nio]),
    // NIO shells: the connection handler, the device listener and the sender.
    .target(
        name: "SSTPRoles",
        dependencies: [
            "SSTPCore", "WinteropWire", "WinteropFormat", "WinteropTransport", nio, nioPosix, crypto,
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
    .testTarget(name: "SSTPCoreTests", dependencies: ["SSTPCore", "WinteropWire", "WinteropFormat", nio, propertyBased]),
    .testTarget(name: "SSTPRolesTests", dependencies: [
        "SSTPRoles", "SSTPCore", "WinteropWire", "WinteropFormat", "WinteropTransport", "WinteropTestSupport", nio, nioPosix, crypto,
        .product(name: "NIOEmbedded", package: "swift-nio"), propertyBased,
    ]),

    // MS-GRVSSTP relay server (3.3): the sans-IO relay core (addressing, attached devices,
    // registrations, delivery scheduler, TTLs, quota, fanout and single-hop forwarding),
    // then the durable store (SQLite through GRDB) and the NIO shells of `sstp relay` and
    // `sstp receive`.
    .target(name: "SSTPRelayCore", dependencies: ["SSTPCore", nio]),
    .target(
        name: "SSTPRelay",
        dependencies: [
            "SSTPRelayCore", "SSTPCore", "SSTPRoles", "WinteropWire", "WinteropFormat", "WinteropTransport", nio, nioPosix, crypto,
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]
    ),
    .testTarget(name: "SSTPRelayTests", dependencies: [
        "SSTPRelay", "SSTPRelayCore", "SSTPRoles", "SSTPCore", "WinteropWire", "WinteropFormat", "WinteropTransport", "WinteropTestSupport", nio, nioPosix,
    ]),

    // MARK: MS-WDSMSI
    // Sans-IO: the UDP packets (2.2.2), the WDS Control Protocol encoding (MS-WDSC 2.2),
    // the server's request rules (3.1.5), its multicast session table and the client's retransmits.
    .target(name: "WDSMSICore", dependencies: ["WinteropWire", "WinteropFormat", nio]),
    .testTarget(name: "WDSMSICoreTests", dependencies: ["WDSMSICore", "WinteropWire", "WinteropFormat", nio, propertyBased]),
    // NIO shells: the UDP server, the directory content provider, key storage and the client.
    .target(
        name: "WDSMSIRoles",
        dependencies: [
            "WDSMSICore", "WinteropWire", "WinteropFormat", "WinteropTransport", nio, nioPosix, crypto,
            .product(name: "CryptoExtras", package: "swift-crypto"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
    .testTarget(
        name: "WDSMSIRolesTests",
        dependencies: ["WDSMSIRoles", "WDSMSICore", "WinteropWire", "WinteropFormat", "WinteropTransport", "WinteropTestSupport", nio, nioPosix]
    ),

    // MARK: MS-NFPS
    // AES-128-CBC on the system's OpenSSL 3 (libcrypto's EVP; Debian: libssl-dev).
    .target(name: "CWinteropNFPSCipher", linkerSettings: [.linkedLibrary("crypto")]),
    // The transfer pipelines' threads: their names and Linux scheduling class.
    .target(name: "CWinteropNFPSThread"),
    // Codec, the AES-128-CBC stream and the sender/receiver state machines (sans-IO).
    .target(
        name: "NFPSCore",
        dependencies: ["WinteropWire", "WinteropFormat", "CWinteropNFPSCipher", nio, crypto]
    ),
    .testTarget(name: "NFPSCoreTests", dependencies: [
        "NFPSCore", "WinteropWire", "WinteropFormat", nio, crypto, .product(name: "CryptoExtras", package: "swift-crypto"), propertyBased,
    ]),
    // NIO shells: the share sender (listens) and share receiver (connects), OPC packing.
    .target(
        name: "NFPSRoles",
        dependencies: [
            "NFPSCore", "CWinteropNFPSThread", "WinteropWire", "WinteropFormat", "WinteropTransport", nio, nioPosix, crypto,
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]
    ),
    .testTarget(
        name: "NFPSRolesTests",
        dependencies: ["NFPSRoles", "NFPSCore", "WinteropWire", "WinteropFormat", "WinteropTestSupport", nio, nioPosix, crypto,
                       .product(name: "NIOEmbedded", package: "swift-nio"),
                       .product(name: "ZIPFoundation", package: "ZIPFoundation")]
    ),

    // MARK: MS-TCC
    .target(
        name: "TCCCore",
        dependencies: ["WinteropWire", "WinteropFormat", nio, crypto, .product(name: "CryptoExtras", package: "swift-crypto")]
    ),
    .testTarget(name: "TCCCoreTests", dependencies: ["TCCCore", "WinteropWire", "WinteropFormat", nio, propertyBased], exclude: ["Vectors"]),
    // RFCOMM sockets through AF_BLUETOOTH: Glibc has no sockaddr_rc, BlueZ's headers are not needed.
    .target(name: "CWinteropBluetooth"),
    // TLS 1.2 PSK on the system's OpenSSL 3 for `--psk` over TCP (memory BIOs, no sockets).
    .target(name: "CWinteropTLSPSK", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
    // NIO shells: server (TCP listener or RFCOMM), client, tethering providers, key file.
    .target(
        name: "TCCRoles",
        dependencies: [
            "TCCCore", "CWinteropBluetooth", "CWinteropTLSPSK", "WinteropWire", "WinteropFormat", "WinteropTransport", nio, nioPosix, crypto,
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
    .testTarget(
        name: "TCCRolesTests",
        dependencies: ["TCCRoles", "TCCCore", "WinteropWire", "WinteropFormat", "WinteropTransport", "WinteropTestSupport", nio, nioPosix],
        exclude: ["Fakes"]
    ),

    // MARK: Fuzz entry points
    // Shared by FuzzTesting/ (libFuzzer) and the regression replay test.
    .target(name: "WinteropFuzzTargets", dependencies: fuzzedModules),

    // MARK: The command-line program (layer 5)
    .executableTarget(
        name: "winterop",
        dependencies: cliModules + [
            "WinteropWire", "WinteropFormat", "WinteropTransport", nio, nioPosix,
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
]

/// Modules with decoders under fuzzing.
var fuzzedModules: [Target.Dependency] {
    [
        "WinteropWire", "WinteropFormat", nio,
        // MARK: fuzzed MS-MICE modules
        "MICECore",
        "WinteropDTLS",
        // MARK: fuzzed mDNS modules
        "WinteropMDNS",
        // MARK: fuzzed Wi-Fi Display modules
        "WFDCore",

        // MARK: fuzzed MS-GRVSSTP modules
        "SSTPCore", "SSTPRelayCore",

        // MARK: fuzzed MS-WDSMSI modules
        "WDSMSICore",
        // MARK: fuzzed MS-TCC modules
        "TCCCore",
        // MARK: fuzzed MS-NFPS modules
        "NFPSCore",
    ]
}

/// Protocol modules the CLI links.
var cliModules: [Target.Dependency] {
    [
        // MARK: CLI MS-MICE modules
        "MICECore", "MICERoles",
        // MARK: CLI MS-MICE DTLS and mDNS modules
        "WinteropMDNS",
        // MARK: CLI Wi-Fi Display modules
        "WFDCore", "WFDRoles",

        // MARK: CLI MS-GRVSSTP modules
        "SSTPCore", "SSTPRoles", "SSTPRelayCore", "SSTPRelay",
        // MARK: CLI MS-WDSMSI modules
        "WDSMSIRoles",
        // MARK: CLI other protocols
        "WDSMSICore",
        // MARK: CLI MS-TCC modules
        "TCCCore", "TCCRoles",
        // MARK: CLI MS-NFPS modules
        "NFPSCore", "NFPSRoles",
    ]
}

let package = Package(
    name: "winterop",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "winterop", targets: ["winterop"]),
        .library(name: "WinteropWire", targets: ["WinteropWire"]),
        .library(name: "WinteropFormat", targets: ["WinteropFormat"]),
        .library(name: "WinteropTransport", targets: ["WinteropTransport"]),
        .library(name: "WinteropFuzzTargets", targets: ["WinteropFuzzTargets"]),
        .library(name: "MICECore", targets: ["MICECore"]),
        .library(name: "MICERoles", targets: ["MICERoles"]),
        .library(name: "WinteropDTLS", targets: ["WinteropDTLS"]),
        .library(name: "WFDCore", targets: ["WFDCore"]),
        .library(name: "WFDRoles", targets: ["WFDRoles"]),
        .library(name: "SSTPCore", targets: ["SSTPCore"]),
        .library(name: "SSTPRoles", targets: ["SSTPRoles"]),
        .library(name: "SSTPRelayCore", targets: ["SSTPRelayCore"]),
        .library(name: "SSTPRelay", targets: ["SSTPRelay"]),
        .library(name: "WDSMSICore", targets: ["WDSMSICore"]),
        .library(name: "WDSMSIRoles", targets: ["WDSMSIRoles"]),
        .library(name: "NFPSCore", targets: ["NFPSCore"]),
        .library(name: "NFPSRoles", targets: ["NFPSRoles"]),
        .library(name: "TCCCore", targets: ["TCCCore"]),
        .library(name: "TCCRoles", targets: ["TCCRoles"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)

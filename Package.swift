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
    // Layer 3: shared transport helpers (listen addresses, JSON events, serve roles).
    .target(
        name: "WinteropTransport",
        dependencies: [
            "WinteropWire", nio, nioPosix,
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
    .testTarget(name: "WinteropWireTests", dependencies: ["WinteropWire", propertyBased]),
    .testTarget(name: "WinteropTransportTests", dependencies: ["WinteropTransport", "WinteropWire", nio]),
    .testTarget(name: "FuzzRegressionTests", dependencies: ["WinteropFuzzTargets"]),
    .testTarget(name: "CLITests", dependencies: ["WinteropWire"]),

    // MARK: MS-MICE
    .target(name: "MICECore", dependencies: ["WinteropWire", nio, crypto]),

    // MARK: MS-MICE DTLS (OpenSSL)

    // MARK: MS-MICE mDNS

    // MARK: MS-GRVSSTP
    .target(name: "SSTPCore", dependencies: ["WinteropWire", nio]),
    // NIO shells: the connection handler, the device listener and the sender.
    .target(
        name: "SSTPRoles",
        dependencies: [
            "SSTPCore", "WinteropWire", "WinteropTransport", nio, nioPosix, crypto,
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
    .testTarget(name: "SSTPCoreTests", dependencies: ["SSTPCore", "WinteropWire", nio, propertyBased]),
    .testTarget(name: "SSTPRolesTests", dependencies: ["SSTPRoles", "SSTPCore", "WinteropWire", "WinteropTransport", nio, nioPosix, crypto]),

    // MARK: MS-WDSMSI
    .target(name: "WDSMSICore", dependencies: ["WinteropWire", nio]),

    // MARK: MS-NFPS
    .target(name: "NFPSCore", dependencies: ["WinteropWire", nio]),

    // MARK: MS-TCC
    .target(name: "TCCCore", dependencies: ["WinteropWire", nio]),

    // MARK: Fuzz entry points
    // Shared by FuzzTesting/ (libFuzzer) and the regression replay test.
    .target(name: "WinteropFuzzTargets", dependencies: fuzzedModules),

    // MARK: The command-line program (layer 5)
    .executableTarget(
        name: "winterop",
        dependencies: cliModules + [
            "WinteropWire", "WinteropTransport", nio, nioPosix,
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]
    ),
]

/// Modules with decoders under fuzzing.
var fuzzedModules: [Target.Dependency] {
    [
        "WinteropWire", nio,
        // MARK: fuzzed MS-MICE modules
        "MICECore",
        // MARK: fuzzed mDNS modules

        // MARK: fuzzed MS-GRVSSTP modules
        "SSTPCore",
    ]
}

/// Protocol modules the CLI links.
var cliModules: [Target.Dependency] {
    [
        // MARK: CLI MS-MICE modules
        "MICECore",
        // MARK: CLI MS-MICE DTLS and mDNS modules

        // MARK: CLI MS-GRVSSTP modules
        "SSTPCore", "SSTPRoles",
        // MARK: CLI other protocols
        "WDSMSICore", "NFPSCore", "TCCCore",
    ]
}

let package = Package(
    name: "winterop",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "winterop", targets: ["winterop"]),
        .library(name: "WinteropWire", targets: ["WinteropWire"]),
        .library(name: "WinteropTransport", targets: ["WinteropTransport"]),
        .library(name: "WinteropFuzzTargets", targets: ["WinteropFuzzTargets"]),
        .library(name: "MICECore", targets: ["MICECore"]),
        .library(name: "SSTPCore", targets: ["SSTPCore"]),
        .library(name: "SSTPRoles", targets: ["SSTPRoles"]),
        .library(name: "WDSMSICore", targets: ["WDSMSICore"]),
        .library(name: "NFPSCore", targets: ["NFPSCore"]),
        .library(name: "TCCCore", targets: ["TCCCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)

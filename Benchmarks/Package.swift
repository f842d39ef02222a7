// swift-tools-version: 6.1
//
// winterop's benchmarks (ordo-one/benchmark), kept out of the main package so that
// `swift build` and `swift test` stay fast. Run from this folder, release builds only:
//
//     swift package --allow-writing-to-package-directory benchmark
//
// Each protocol adds its benchmark executables in its region (MARK lines).

import PackageDescription

let benchmark: Target.Dependency = .product(name: "Benchmark", package: "benchmark")
let plugin: Target.PluginUsage = .plugin(name: "BenchmarkPlugin", package: "benchmark")

func winterop(_ product: String) -> Target.Dependency {
    .product(name: product, package: "winterop")
}

var targets: [Target] = [
    // MARK: Foundation benchmarks
    .executableTarget(
        name: "WireBenchmarks",
        dependencies: [benchmark, winterop("WinteropWire"), .product(name: "NIOCore", package: "swift-nio")],
        path: "Benchmarks/WireBenchmarks",
        plugins: [plugin]
    ),

    // MARK: MS-MICE benchmarks
    .executableTarget(
        name: "MICEBenchmarks",
        dependencies: [
            benchmark, winterop("MICECore"), winterop("MICERoles"), winterop("WinteropDTLS"), winterop("WinteropTransport"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ],
        path: "Benchmarks/MICEBenchmarks",
        plugins: [plugin]
    ),
    .executableTarget(
        name: "DTLSBenchmarks",
        dependencies: [benchmark, winterop("WinteropDTLS")],
        path: "Benchmarks/DTLSBenchmarks",
        plugins: [plugin]
    ),

    // MARK: MS-GRVSSTP benchmarks
    .executableTarget(
        name: "SSTPBenchmarks",
        dependencies: [
            benchmark, winterop("SSTPCore"), winterop("SSTPRoles"), winterop("SSTPRelayCore"), winterop("SSTPRelay"), winterop("WinteropTransport"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ],
        path: "Benchmarks/SSTPBenchmarks",
        plugins: [plugin]
    ),

    // MARK: MS-WDSMSI benchmarks
    .executableTarget(
        name: "WDSBenchmarks",
        dependencies: [benchmark, winterop("WDSMSIRoles"), .product(name: "NIOPosix", package: "swift-nio")],
        path: "Benchmarks/WDSBenchmarks",
        plugins: [plugin]
    ),

    // MARK: MS-TCC benchmarks
    .executableTarget(
        name: "TCCBenchmarks",
        dependencies: [
            benchmark, winterop("TCCCore"), winterop("TCCRoles"), winterop("WinteropTransport"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto"),
        ],
        path: "Benchmarks/TCCBenchmarks",
        plugins: [plugin]
    ),

    // MARK: MS-NFPS benchmarks
    .executableTarget(
        name: "NFPSBenchmarks",
        dependencies: [
            benchmark, winterop("NFPSCore"), winterop("WinteropTransport"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ],
        path: "Benchmarks/NFPSBenchmarks",
        plugins: [plugin]
    ),

    // MARK: Wi-Fi Display benchmarks
    .executableTarget(
        name: "WFDBenchmarks",
        dependencies: [benchmark, winterop("WFDCore"), .product(name: "NIOCore", package: "swift-nio")],
        path: "Benchmarks/WFDBenchmarks",
        plugins: [plugin]
    ),

    // MARK: other protocols' benchmarks
]

let package = Package(
    name: "winterop-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "winterop", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)

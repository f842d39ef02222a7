// swift-tools-version:5.4
//
// libFuzzer harness. Tools version 5.4 on purpose: newer manifests fail to link
// libFuzzer's main. One executable serves every target of
// `WinteropFuzzTargets.FuzzTarget.all`; the target is chosen by the environment
// variable WINTEROP_FUZZ_TARGET. Build and run with ./fuzz.sh TARGET SECONDS.

import PackageDescription

let package = Package(
    name: "winterop-fuzz",
    dependencies: [
        .package(name: "winterop", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "WinteropFuzzer",
            dependencies: [.product(name: "WinteropFuzzTargets", package: "winterop")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)

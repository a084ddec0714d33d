// swift-tools-version:6.1
// libFuzzer targets for fanout's input readers; built and run by tools/fuzz.sh (see docs/fuzzing.md).
// A separate package so the main Package.swift stays free of sanitizer flags.
import PackageDescription

let fuzzTargets = [
    "FuzzGeoJSON", "FuzzWKT", "FuzzCAP", "FuzzGeoPackage", "FuzzGeoPackageBlob", "FuzzBorders", "FuzzParticipantCSV",
    "FuzzPlaceCSV", "FuzzDispatchConfig",
]

// The readers live below FanoutEngine and FanoutAreaTools; FanoutLab is left out on purpose: it
// brings the action desk and its channel adapters (swift-nio, BoringSSL, AsyncHTTPClient), which
// would all be built again with the sanitizers.
let fanout: [Target.Dependency] = [
    .product(name: "FanoutEngine", package: "fanout"), .product(name: "FanoutAreaTools", package: "fanout"),
    .product(name: "FanoutSynthetic", package: "fanout"),
]

let package = Package(
    name: "fanout-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "fanout", path: "../..")],
    targets: [
        .target(
            name: "FuzzSupport", dependencies: fanout,
            swiftSettings: [.swiftLanguageMode(.v6)])
    ]
        + fuzzTargets.map { name in
            .executableTarget(
                name: name, dependencies: ["FuzzSupport"] + fanout,
                swiftSettings: [.swiftLanguageMode(.v6)])
        }
)

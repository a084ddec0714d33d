// swift-tools-version:6.1
// libFuzzer targets for fanout's input readers; built and run by tools/fuzz.sh (see docs/fuzzing.md).
// A separate package so the main Package.swift stays free of sanitizer flags.
import PackageDescription

let fuzzTargets = [
    "FuzzGeoJSON", "FuzzWKT", "FuzzCAP", "FuzzGeoPackage", "FuzzGeoPackageBlob", "FuzzBorders", "FuzzParticipantCSV",
    "FuzzPlaceCSV", "FuzzDispatchConfig",
]

let package = Package(
    name: "fanout-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "fanout", path: "../..")],
    targets: [
        .target(
            name: "FuzzSupport", dependencies: [.product(name: "FanoutEngine", package: "fanout"), .product(name: "FanoutLab", package: "fanout")],
            swiftSettings: [.swiftLanguageMode(.v6)])
    ]
        + fuzzTargets.map { name in
            .executableTarget(
                name: name, dependencies: ["FuzzSupport", .product(name: "FanoutEngine", package: "fanout"), .product(name: "FanoutLab", package: "fanout")],
                swiftSettings: [.swiftLanguageMode(.v6)])
        }
)

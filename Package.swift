// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "fanout",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "FanoutEngine", targets: ["FanoutEngine"]),
        .executable(name: "fanout", targets: ["FanoutCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CGEOS", pkgConfig: "geos",
            providers: [.apt(["libgeos-dev"]), .brew(["geos"])]),
        .systemLibrary(
            name: "CPROJ", pkgConfig: "proj",
            providers: [.apt(["libproj-dev"]), .brew(["proj"])]),
        // The package's data files (data/) as a resource bundle, for DataDirectory.bundled. The
        // directory stays the data directory of a checkout (FANOUT_DATA_DIR=data, tools/make_*.py).
        .target(
            name: "FanoutData", path: "data",
            exclude: ["places.csv", "travel-radius.md"],
            sources: ["FanoutData.swift"],
            resources: [
                .copy("rdtrans2018.gsb"), .copy("borders-nl-be-de.geojson"), .copy("municipalities-nl.geojson"),
                .copy("travel-radius.csv"), .copy("areas"), .copy("LICENSES.md"),
                .copy("borders-nl-be-de.ODbL-1.0.txt"),
            ],
            swiftSettings: strict),
        // The error protocol every module adopts (FanoutError, ErrorLocation): the bottom of the graph.
        .target(name: "FanoutCore", swiftSettings: strict),
        .target(
            name: "Geo",
            dependencies: ["FanoutCore", "CGEOS", "CPROJ", "FanoutData", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .target(
            name: "Registry",
            dependencies: ["FanoutCore", "Geo", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .target(name: "Selection", dependencies: ["FanoutCore", "Geo"], swiftSettings: strict),
        .target(
            name: "Synthetic", dependencies: ["FanoutCore"],
            resources: [.copy("Resources/places.csv")],
            swiftSettings: strict),
        .target(
            name: "FanOut",
            dependencies: [
                "FanoutCore", "Geo", "Registry", "Selection", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "ProviderAdapters",
            dependencies: ["FanoutCore", "FanOut", "Registry", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(
            name: "FanoutEngine",
            dependencies: [
                "FanoutCore", "Geo", "Registry", "Selection", "Synthetic", "FanOut", "ProviderAdapters",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        // The git commit of the build, for `fanout --version`: a generated source, kept out of the
        // library so that a new commit recompiles one small module.
        .plugin(name: "GitCommitPlugin", capability: .buildTool()),
        .target(name: "BuildInfo", swiftSettings: strict, plugins: ["GitCommitPlugin"]),
        // What the binary is (`fanout --version`): apart from FanoutEngine so that swift-crypto
        // is built once for the CLI, not again for the fuzz package's sanitizer build.
        .target(
            name: "ToolInfo",
            dependencies: ["FanoutEngine", "BuildInfo", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .executableTarget(
            name: "FanoutCLI",
            dependencies: [
                "FanoutEngine", "ToolInfo", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "TestSupport", dependencies: [.product(name: "Logging", package: "swift-log")], path: "Tests/TestSupport",
            swiftSettings: strict),
        .testTarget(
            name: "GeoTests", dependencies: ["Geo", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "SelectionTests", dependencies: ["Selection", "FanoutEngine", "TestSupport"],
            swiftSettings: strict),
        .testTarget(name: "SyntheticTests", dependencies: ["Synthetic", "FanoutEngine", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "FanOutTests",
            dependencies: [
                "FanOut", "FanoutEngine", "TestSupport", .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "ProviderAdapterTests",
            dependencies: [
                "ProviderAdapters", "FanOut", "FanoutEngine", "Registry", "Geo", "TestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CLITests", dependencies: ["FanoutEngine", "FanoutCLI", "ToolInfo", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strict),
    ]
)

// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")
// What every test target may use: the modules, the shared test helpers, GRDB, logs and metrics.
let testDependencies: [Target.Dependency] = [
    "FanoutCore", "Geo", "GeoFormats", "Participants", "Selection", "FanOut", "ProviderAdapters", "ChannelAdapters",
    "FanoutEngine",
    "FanoutAreaTools", "FanoutTesting", "FanoutDesk", "FanoutLab", "Synthetic", "TestSupport", "GeoTestSupport",
    "SelectionTestSupport", grdb, .product(name: "Logging", package: "swift-log"),
    .product(name: "MetricsTestKit", package: "swift-metrics"),
]

let package = Package(
    name: "fanout",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "FanoutEngine", targets: ["FanoutEngine"]),
        .library(name: "FanoutAreaTools", targets: ["FanoutAreaTools"]),
        .library(name: "FanoutTesting", targets: ["FanoutTesting"]),
        // For the benchmarks package only (a separate package can depend on products alone): not API.
        .library(name: "FanoutLab", targets: ["FanoutLab"]),
        // For the fuzz package, which must not build FanoutLab's desk and its channel adapters: not API.
        .library(name: "FanoutSynthetic", targets: ["Synthetic"]),
        .executable(name: "fanout", targets: ["FanoutCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
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
        // The geometry kernel: coordinates, PROJ and GEOS owners, the RD grid, borders,
        // municipalities, the service region and the data directory.
        .target(
            name: "Geo",
            dependencies: ["FanoutCore", "CGEOS", "CPROJ", "FanoutData", grdb],
            swiftSettings: strict),
        // Area file formats (WKT, GeoJSON, GeoPackage, CAP) and safe output files.
        .target(name: "GeoFormats", dependencies: ["FanoutCore", "Geo", "CGEOS", "CPROJ", grdb], swiftSettings: strict),
        // Participants, their typed record and their SQLite file.
        .target(name: "Participants", dependencies: ["FanoutCore", "Geo", grdb], swiftSettings: strict),
        // The spatial indexes and the outside-in order.
        .target(name: "Selection", dependencies: ["FanoutCore", "Geo", "Participants"], swiftSettings: strict),
        // The dispatcher, its ledger (and the ledger's migrations) and the provider protocol.
        .target(
            name: "FanOut",
            dependencies: [
                "FanoutCore", "Geo", "Participants", "Selection", grdb, .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The SMS adapter to Kannel, on plain sockets: the engine's own adapter, with nothing but
        // Foundation below it.
        .target(
            name: "ProviderAdapters",
            dependencies: ["FanoutCore", "FanOut", "Participants", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // Voice over SIP (swift-crypto for digest authentication), e-mail over SMTP (swift-nio,
        // swift-nio-ssl for STARTTLS, swift-crypto for reply links) and app pushes over Web Push
        // (AsyncHTTPClient). Apart from ProviderAdapters so that FanoutEngine and the fuzz package's
        // sanitizer build do not build BoringSSL, swift-nio and AsyncHTTPClient (measured: a CI build
        // of 17 minutes instead of 7).
        .target(
            name: "ChannelAdapters",
            dependencies: [
                "FanoutCore", "FanOut", "Participants", "ProviderAdapters", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // The front door for a control-room service.
        .target(
            name: "FanoutEngine",
            dependencies: ["FanoutCore", "Geo", "GeoFormats", "Participants", "Selection", "FanOut", "ProviderAdapters", grdb],
            swiftSettings: strict),
        // Tools for GIS staff: check, fix, convert and map action areas; CAP writing; travel radius.
        .target(
            name: "FanoutAreaTools", dependencies: ["FanoutEngine", "Geo", "GeoFormats", "Participants", "Selection"],
            swiftSettings: strict),
        // Test doubles at the provider edge: the simulated and the recording provider.
        .target(name: "FanoutTesting", dependencies: ["FanOut", "Participants", "Geo"], swiftSettings: strict),
        // The command-line tool's action desk: a ledger, its providers and the dispatcher of one process.
        .target(
            name: "FanoutDesk",
            dependencies: [
                "FanoutEngine", "FanoutAreaTools", "FanoutTesting", "FanOut", "ProviderAdapters", "ChannelAdapters",
                "Participants", "Geo", "GeoFormats", grdb, .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        // The synthetic population generator.
        .target(
            name: "Synthetic", dependencies: ["FanoutCore"],
            resources: [.copy("Resources/places.csv")],
            swiftSettings: strict),
        // Demo, load tests, reference queries and the comparison peers, for the CLI, tests and benchmarks.
        .target(
            name: "FanoutLab",
            dependencies: [
                "FanoutEngine", "FanoutAreaTools", "FanoutDesk", "FanoutTesting", "Synthetic", "Geo", "GeoFormats",
                "Participants", "Selection", "FanOut", grdb,
            ],
            swiftSettings: strict),
        // The control-room service (`fanout serve`): HTTP API, tokens and roles, event streams, the map page.
        .target(
            name: "FanoutServer",
            dependencies: [
                "FanoutCore", "FanoutEngine", "FanoutAreaTools", "FanoutDesk", "FanoutTesting", "FanOut", "Geo",
                "GeoFormats", "Participants", "Selection", "ProviderAdapters", "ChannelAdapters", grdb,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict),
        // The git commit of the build, for `fanout --version`: a generated source, kept out of the
        // library so that a new commit recompiles one small module.
        .plugin(name: "GitCommitPlugin", capability: .buildTool()),
        .target(name: "BuildInfo", swiftSettings: strict, plugins: ["GitCommitPlugin"]),
        // What the binary is (`fanout --version`): apart from FanoutEngine so that swift-crypto
        // is built once for the CLI, not again for the fuzz package's sanitizer build.
        .target(
            name: "ToolInfo",
            dependencies: ["FanoutEngine", "FanoutAreaTools", "Geo", "Synthetic", "BuildInfo", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .executableTarget(
            name: "FanoutCLI",
            dependencies: [
                "FanoutCore", "FanoutEngine", "FanoutAreaTools", "FanoutDesk", "FanoutLab", "FanoutTesting", "FanoutServer", "GeoFormats",
                "Synthetic", "ToolInfo", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "TestSupport", dependencies: [.product(name: "Logging", package: "swift-log")], path: "Tests/TestSupport",
            swiftSettings: strict),
        // Test helpers for GEOS handles, area shapes and the geometry fixtures.
        .target(
            name: "GeoTestSupport", dependencies: ["Geo", "TestSupport"], path: "Tests/GeoTestSupport",
            swiftSettings: strict),
        // The selection tests' random populations and shapes, shared with the engine's tests.
        .target(
            name: "SelectionTestSupport", dependencies: ["Geo", "Participants", "Selection", "TestSupport"],
            path: "Tests/SelectionTestSupport", swiftSettings: strict),
        // One test target per module (the module's name + Tests); CLITests runs the real binary.
        .testTarget(
            name: "GeoTests",
            dependencies: testDependencies,
            exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(name: "GeoFormatsTests", dependencies: testDependencies, swiftSettings: strict),
        .testTarget(name: "ParticipantsTests", dependencies: testDependencies, swiftSettings: strict),
        .testTarget(name: "SelectionTests", dependencies: testDependencies, swiftSettings: strict),
        .testTarget(name: "SyntheticTests", dependencies: testDependencies, swiftSettings: strict),
        .testTarget(name: "FanOutTests", dependencies: testDependencies, swiftSettings: strict),
        .testTarget(name: "FanoutTestingTests", dependencies: testDependencies, swiftSettings: strict),
        .testTarget(
            name: "ProviderAdapterTests",
            dependencies: testDependencies + [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .testTarget(
            name: "FanoutEngineTests",
            dependencies: testDependencies,
            exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(name: "FanoutAreaToolsTests", dependencies: testDependencies, swiftSettings: strict),
        .testTarget(name: "FanoutDeskTests", dependencies: testDependencies, swiftSettings: strict),
        .testTarget(name: "FanoutLabTests", dependencies: testDependencies, swiftSettings: strict),
        .testTarget(
            name: "FanoutServerTests",
            dependencies: testDependencies + ["FanoutServer", .product(name: "HummingbirdTesting", package: "hummingbird")],
            exclude: ["Browser"],
            swiftSettings: strict),
        .testTarget(
            name: "CLITests",
            dependencies: testDependencies + ["FanoutCLI", "ToolInfo"],
            exclude: ["Fixtures"],
            swiftSettings: strict),
    ]
)

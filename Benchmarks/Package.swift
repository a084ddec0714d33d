// swift-tools-version:6.1
// Benchmarks for fanout, kept out of the main package (as swift-nio/Benchmarks does) so that
// the library never depends on the benchmark harness or its malloc interposer.
//
// Run from this directory:  swift package --disable-sandbox benchmark
// See README.md for baselines and thresholds.
import PackageDescription

let package = Package(
    name: "benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "fanout", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SelectionBenchmarks",
            dependencies: [
                .product(name: "FanoutEngine", package: "fanout"), .product(name: "FanoutLab", package: "fanout"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SelectionBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DispatchBenchmarks",
            dependencies: [
                .product(name: "FanoutEngine", package: "fanout"), .product(name: "FanoutLab", package: "fanout"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/DispatchBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)

// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "steward",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "steward", targets: ["steward"]),
        .library(name: "StewardAPI", targets: ["StewardAPI"]),
        .library(name: "StewardEngine", targets: ["StewardEngine"]),
        .library(name: "StewardClient", targets: ["StewardClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        // The shared store of several managers (`steward manager --database postgres://…`).
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // The agent renders `template` config files with it.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // Tests only: the contract test parses the OpenAPI document with a real YAML parser.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // The wire: every type that crosses /web/v1 or /agent/v1, its states
        // and kinds as enums, the error catalogue, the one JSON encoding.
        .target(name: "StewardAPI", swiftSettings: strict),
        // Pure domain: model, planner, progress, state machines. No I/O.
        .target(name: "StewardEngine", dependencies: ["StewardAPI"], swiftSettings: strict),
        // Stack format, loader, bundled stacks.
        .target(
            name: "StewardStacks",
            dependencies: ["StewardAPI", "StewardEngine", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: strict
        ),
        // Store interface, SQL, migrations.
        .target(
            name: "StewardStore",
            dependencies: [
                "StewardAPI", "StewardEngine", "StewardSystem",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // HTTP API, auth, command execution, agent dispatch.
        .target(
            name: "StewardManager",
            dependencies: [
                "StewardAPI", "StewardEngine", "StewardStore", "StewardStacks", "StewardWeb", "StewardOpenAPI", "StewardSystem",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            swiftSettings: strict
        ),
        // The web UI: plain HTML, CSS and JavaScript, embedded in the binary.
        .target(
            name: "StewardWeb",
            resources: [.embedInCode("Assets")],
            swiftSettings: strict
        ),
        // The OpenAPI document of the API: a YAML file embedded in the binary.
        .target(
            name: "StewardOpenAPI",
            resources: [.embedInCode("openapi.yaml")],
            swiftSettings: strict
        ),
        // Typed HTTP client for the manager's API (CLI, agent, tests).
        .target(
            name: "StewardClient",
            dependencies: [
                "StewardAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Processes: spawn in a session, liveness, signals, log tails.
        .target(name: "StewardSystem", swiftSettings: strict),
        // Host daemon: connection to the manager, task runner, process supervision.
        .target(
            name: "StewardAgent",
            dependencies: [
                "StewardAPI", "StewardSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The demo role process: binds its port, health check, effective config.
        .target(
            name: "StewardRole",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The one binary: a thin file per subcommand.
        .executableTarget(
            name: "steward",
            dependencies: [
                "StewardAPI", "StewardManager", "StewardAgent", "StewardRole", "StewardClient", "StewardSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // Tests only: a throwaway PostgreSQL server, or a fresh database on the one CI names.
        .target(
            name: "StewardTestSupport",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Support",
            swiftSettings: strict
        ),
        .testTarget(name: "StewardAPITests", dependencies: ["StewardAPI", "StewardClient"], swiftSettings: strict),
        .testTarget(name: "StewardEngineTests", dependencies: ["StewardAPI", "StewardEngine"], swiftSettings: strict),
        .testTarget(name: "StewardStacksTests", dependencies: ["StewardStacks", "StewardAPI", "StewardEngine"], swiftSettings: strict),
        .testTarget(
            name: "StewardStoreTests",
            dependencies: [
                "StewardStore", "StewardStacks", "StewardAPI", "StewardEngine", "StewardTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StewardManagerTests",
            dependencies: [
                "StewardManager", "StewardWeb", "StewardOpenAPI", "StewardAPI", "StewardEngine", "StewardStore", "StewardStacks", "StewardTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StewardAgentTests",
            dependencies: [
                "StewardAgent", "StewardAPI", "StewardSystem",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                // A manager's agent endpoints played by the test (FakeManager).
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StewardIntegrationTests",
            dependencies: [
                "StewardClient", "StewardAPI", "StewardSystem", "StewardStacks", "StewardTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)

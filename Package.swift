// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Workbench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "workbench", targets: ["Workbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // The team server's store (PostgresRecordStore).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The only door to the terminal: a module map and a shim over libncursesw.
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        .target(
            name: "Model",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API itself, for the bulk-insert statement (see SQLiteBulkStatement).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                // XLSX is a ZIP of XML parts: written and read, streamed, through ZIPFoundation.
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [.copy("Resources/organisations.json"), .copy("Resources/taxonomy.json"), .copy("Resources/synonyms.json"),
                        // Word frequencies for the bench's realistic generator (jieba, MIT; see its header).
                        .copy("Resources/lexicon-zh.txt")]
        ),
        .executableTarget(
            name: "Workbench",
            dependencies: [
                "Model", "CNcurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ModelTests", dependencies: ["Model", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "Model", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
    ],
    swiftLanguageModes: [.v6]
)

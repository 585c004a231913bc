import Foundation
import Testing
@testable import Model

/// The signal handler's side of issue 36, in this process (the binary is killed for real in
/// WorkbenchTests' NothingLostTests): what the handler removes, and the actions it installs
/// and puts back. Other suites may export at the same time, so what depends on being the only
/// export is checked only when it is.
@Suite struct ExportCleanupTests {
    /// The handler's own removal (`removeNow` runs the code the signal runs, on one slot): the
    /// export's file, XLSXWriter's folder of sheets and the lock, newest first, then the folder —
    /// nothing of it left, and nothing beside it touched.
    @Test func theHandlersRemovalTakesTheWholeFolderAndNothingElse() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let neighbour = dir.write("问答标注.xlsx", "the user's own file of the same name")
        let output = try OutputFile(dir.path("问答标注.xlsx"), overwrite: true)
        let folder = (output.workPath as NSString).deletingLastPathComponent
        let slot = try #require(output.cleanupSlot)
        let x = try XLSXWriter(path: output.workPath)
        try x.beginSheet("问答标注", columns: [.init(width: 10)], header: ["记录ID"])
        for i in 0..<5000 { try x.row([.text("\(i)")]); if i % 1000 == 0 { try x.flush() } }
        try x.beginSheet("筛选与汇总", columns: [.init(width: 10)], header: ["项目"])
        try x.flush()
        _ = FileManager.default.createFile(atPath: output.workPath, contents: Data("partial".utf8))
        let inside = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []
        #expect(inside.count == 5, "\(inside)")  // the lock, the file, the sheets' folder and its two sheets

        ExportCleanup.removeNow(slot: slot)
        #expect(!FileManager.default.fileExists(atPath: folder), "left: \(FileManager.default.enumerator(atPath: folder)?.allObjects ?? [])")
        #expect(try String(contentsOfFile: neighbour, encoding: .utf8) == "the user's own file of the same name")
        output.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["问答标注.xlsx"])
    }

    /// A path outside every registered folder is not named (an XLSXWriter writing elsewhere), and
    /// paths are compared absolute, without `.` and `..`.
    @Test func onlyWhatIsMadeInsideAnExportsFolderIsNamed() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let output = try OutputFile(dir.path("out.csv"), overwrite: false)
        defer { output.discard() }
        let slot = try #require(output.cleanupSlot)
        let folder = (output.workPath as NSString).deletingLastPathComponent
        let outside = dir.write("outside.txt", "stays")
        ExportCleanup.willCreate(outside)
        let roundabout = folder + "/../" + (folder as NSString).lastPathComponent + "/./extra.txt"
        ExportCleanup.willCreate(roundabout)
        _ = FileManager.default.createFile(atPath: folder + "/extra.txt", contents: Data())
        ExportCleanup.removeNow(slot: slot)
        #expect(!FileManager.default.fileExists(atPath: folder))
        #expect(FileManager.default.fileExists(atPath: outside))
        #expect(ExportCleanup.normalized("a/./b/../c") == FileManager.default.currentDirectoryPath + "/a/c")
    }

    /// While an export's folder exists our handler is installed for the five signals and SIGXFSZ
    /// is ignored; once the last export is done, what was there before is back.
    @Test func theHandlersAreInstalledWhileAnExportRunsAndPutBackAfter() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        func action(_ sig: Int32) -> sigaction {
            var a = sigaction()
            sigaction(sig, nil, &a)
            return a
        }
        let ours = unsafeBitCast(exportCleanupHandler as SignalInfoHandler, to: Int.self)
        let output = try OutputFile(dir.path("out.csv"), overwrite: false)
        #expect(ExportCleanup.registered >= 1)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] {
            let a = action(sig)
            // A signal this process ignores stays ignored (the test runner may ignore SIGPIPE).
            if a.sa_flags & SA_SIGINFO == 0, let h = a.plainHandler, unsafeBitCast(h, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
                continue
            }
            #expect(a.sa_flags & SA_SIGINFO != 0 && a.infoHandler.map { unsafeBitCast($0, to: Int.self) } == ours, "signal \(sig)")
        }
        let xfsz = action(SIGXFSZ)
        #expect(xfsz.sa_flags & SA_SIGINFO != 0 || xfsz.plainHandler != nil, "SIGXFSZ still has its default action")
        output.discard()
        if ExportCleanup.registered == 0 {
            let term = action(SIGTERM)
            #expect(term.infoHandler.map { unsafeBitCast($0, to: Int.self) } != ours, "our handler stayed")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
    }

    /// What the next export removes in-process terms: the name's pattern.
    @Test func aPrivateFoldersNameIsThePrefixAndSixLettersOrDigits() {
        #expect(OutputFile.isFolderName(".workbench-export-Ab12Cd"))
        for name in [".workbench-export-Ab12C", ".workbench-export-Ab12Cd7", "workbench-export-Ab12Cd", ".workbench-export-Ab 2Cd",
                     ".workbench-export-Ab.2Cd", ".workbench-export-长12Cd"] {
            #expect(!OutputFile.isFolderName(name), "\(name)")
        }
    }
}

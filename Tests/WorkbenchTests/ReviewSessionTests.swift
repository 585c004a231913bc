import Foundation
import GRDB
@testable import Model
import Testing
@testable import Workbench

/// Commands and their reactions, with no screen: what each key asks the loop to do, and what is
/// on disk afterwards.
@Suite struct ReviewSessionTests {
    @Test func labelAsksToPersistAndMovesToTheNextUnlabelled() throws {
        let f = try AppFixture()
        let s = f.session
        #expect(s.keys.count == 8 && s.selectedRecord?.id == "R001")
        let r = s.handle(.char("3"))
        #expect(r.contains(.persist) && r.contains(.redraw) && !r.contains(.quit))
        // Nothing is written (or shown as saved) until the loop persists.
        #expect(try f.store.record(id: "R001")?.label == nil)
        #expect(s.pending.count == 1)
        s.perform(r)
        #expect(try f.store.record(id: "R001")?.label == .correct)
        #expect(s.rows[s.keys[0]]?.label == .correct && s.pending.isEmpty)
        #expect(s.selectedRecord?.id == "R002")
        // R003 is next unlabelled after R002; R004 and R005 are labelled, so 1 on R003 goes to R006.
        s.perform(s.handle(.char("1")))
        s.perform(s.handle(.char("1")))
        #expect(s.selectedRecord?.id == "R006")
        #expect(try f.store.history(recordId: "R003").last?.reviewer == "张敏")
    }

    @Test func undoGoesBackAgainAndAgainAcrossRecords() throws {
        let f = try AppFixture()
        let s = f.session
        for k in typed("312") { s.perform(s.handle(k)) }
        #expect(try ["R001", "R002", "R003"].map { try f.store.record(id: $0)?.label } == [.correct, .missingKnowledge, .misunderstood])
        for _ in 0..<3 { s.perform(s.handle(.char("u"))) }
        #expect(try ["R001", "R002", "R003"].map { try f.store.record(id: $0)?.label } == [nil, nil, nil])
        #expect(s.selectedRecord?.id == "R001")
        #expect(try f.store.history(recordId: "R001").map(\.action) == [.label, .undo])
        // Nothing left: the key says why instead of acting.
        #expect(s.handle(.char("u")) == .redraw)
        #expect(s.message?.text.zh == "没有可撤销的修改")
        // Undo restores a second review and a previous label exactly.
        s.select(3)  // R004, 回答正确 by 李强
        let before = try #require(try f.store.record(id: "R004")).reviewState
        s.perform(s.handle(.char("r")))
        #expect(try f.store.record(id: "R004")?.status == .reviewed)
        s.perform(s.handle(.char("u")))
        #expect(try f.store.record(id: "R004")?.reviewState == before)
    }

    @Test func undoNeverOverwritesAnotherReviewersLaterChange() throws {
        let f = try AppFixture()
        let s = f.session
        s.perform(s.handle(.char("3")))  // R001 回答正确
        let other = try SQLiteRecordStore(path: f.store.path)
        try other.setLabel(.misunderstood, recordId: "R001", reviewer: "王强", at: AppFixture.now + 5)
        s.perform(s.handle(.char("u")))
        #expect(try f.store.record(id: "R001")?.label == .misunderstood)
        #expect(s.message?.role == .error && s.message?.text.zh.contains("王强") == true)
        #expect(try f.store.history(recordId: "R001").last?.reviewer == "王强")
    }

    @Test func liveFiguresMoveWithEachLabelAndAgreeWithAFullCount() throws {
        let f = try AppFixture()
        let s = f.session
        #expect(s.total.accuracy == Ratio(1, of: 2))
        for k in typed("3") + typed("1") { s.perform(s.handle(k)) }
        #expect(s.total.accuracy == Ratio(2, of: 4))
        #expect(s.total == (try f.store.tallies(s.statsFilter, rules: s.rules).total))
        // A business-type correction to small talk takes R003 out of the figures.
        s.select(2)
        s.perform(s.handle(.char("b")))
        #expect(s.mode == .picker)
        for k in typed("闲聊") { s.perform(s.handle(k)) }
        s.perform(s.handle(.enter))
        #expect(try f.store.record(id: "R003")?.effectiveBiz2 == "闲聊无效")
        #expect(s.total == (try f.store.tallies(s.statsFilter, rules: s.rules).total))
        #expect(s.total.smallTalk == 2)
    }

    @Test func reviewNeedsALabelAndSaysWhy() throws {
        let f = try AppFixture()
        let s = f.session
        #expect(s.handle(.char("r")) == .redraw)
        #expect(s.message?.text.zh.contains("还未标注") == true)
        #expect(try f.store.record(id: "R001")?.status == .unlabeled)
        // Review mode: 2 reviews as 理解错误 and moves to the next record not yet reviewed.
        s.perform(s.handle(.char("m")))
        s.select(3)
        s.perform(s.handle(.char("2")))
        let r = try #require(try f.store.record(id: "R004"))
        #expect(r.label == .misunderstood && r.status == .reviewed && r.reviewedBy == "张敏")
        #expect(s.selectedRecord?.id == "R005")
    }

    @Test func noteIsTypedSavedAndEscKeepsNothing() throws {
        let f = try AppFixture()
        let s = f.session
        s.perform(s.handle(.char("n")))
        #expect(s.mode == .prompt)
        for k in typed("答非所问 q") { s.perform(s.handle(k)) }  // q is typed, not quit
        s.perform(s.handle(.enter))
        #expect(try f.store.record(id: "R001")?.note == "答非所问 q")
        s.perform(s.handle(.char("n")))
        for k in typed("不要") { s.perform(s.handle(k)) }
        s.perform(s.handle(.escape))
        #expect(try f.store.record(id: "R001")?.note == "答非所问 q")
        #expect(s.mode == .list)
    }

    @Test func filterBarUpdatesTheListAsItIsTypedAndEscRestores() throws {
        let f = try AppFixture()
        let s = f.session
        s.select(5)
        s.perform(s.handle(.char("f")))
        #expect(s.mode == .filter)
        for k in typed("如皋,海安") { s.perform(s.handle(k)) }
        #expect(s.filter.orgs == ["如皋市", "海安市"] && s.keys.count == 2)
        // R006 is not in the shorter list: the selection is clamped into it, never lost.
        #expect(s.selection == 0 && s.selectedRecord?.id == "R001")
        s.perform(s.handle(.tab))
        s.perform(s.handle(.right))  // 今天 (2025-12-31)
        #expect(s.periodPreset == .today && s.keys.count == 2)
        s.perform(s.handle(.right))  // 近7天
        #expect(s.periodPreset == .last7)
        s.perform(s.handle(.escape))
        #expect(s.filter == RecordFilter() && s.keys.count == 8)
        // Typed dates, labels and business types.
        s.perform(s.handle(.char("f")))
        s.perform(s.handle(.backTab))  // wraps to 文本
        s.perform(s.handle(.up))  // 业务类型
        for k in typed("养老") { s.perform(s.handle(k)) }
        #expect(s.filter.biz1 == "养老保险" && s.keys.count == 2)
        s.perform(s.handle(.up))
        for k in typed("3") { s.perform(s.handle(k)) }
        #expect(s.filter.label == .correct && s.keys.isEmpty)  // no 养老保险 record is 回答正确 yet
        s.perform(s.handle(.enter))
        #expect(s.mode == .list)
    }

    @Test func textInTheFilterBarWaitsForAPauseOrEnter() throws {
        let f = try AppFixture()
        let s = f.session
        s.perform(s.handle(.char("f")))
        for _ in 0..<5 { s.perform(s.handle(.tab)) }  // 文本
        for k in typed("工伤") { s.perform(s.handle(k)) }
        #expect(s.filter.text == "工伤" && s.keys.count == 8)  // not queried yet
        #expect(s.tick())  // the pause
        #expect(s.keys.count == 1)
        s.perform(s.handle(.backspace))
        #expect(s.keys.count == 1)
        s.perform(s.handle(.enter))  // Enter does not wait
        #expect(s.filter.text == "工" && s.mode == .list)
        #expect(s.keys.count == AppFixture.records.filter(s.filter.matches).count && s.keys.count > 1)
    }

    @Test func searchAndSpaceInTheOrganisationField() throws {
        let f = try AppFixture()
        let s = f.session
        s.perform(s.handle(.char("/")))
        for k in typed("工伤") { s.perform(s.handle(k)) }
        s.perform(s.handle(.enter))
        #expect(s.filter.text == "工伤" && s.keys.count == 1)
        s.perform(s.handle(.char("f")))
        s.perform(s.handle(.right))  // cursor to the second organisation
        s.perform(s.handle(.char(" ")))
        #expect(s.filter.orgs == [ReferenceData.bundled.organisations.names[1]])
    }

    @Test func exportFromTheAppWritesTheFilterAndKeepsABadName() throws {
        let f = try AppFixture()
        let s = f.session
        s.perform(s.handle(.char("/")))
        for k in typed("养老") { s.perform(s.handle(k)) }
        s.perform(s.handle(.enter))
        s.perform(s.handle(.char("e")))
        // In the data directory's exports folder, named for what it holds (the search too).
        let offered = WorkbenchPaths.dataDirectory().appendingPathComponent("exports/问答标注_2025-12-31_养老.xlsx").path
        #expect(s.prompt?.input.text == offered, "\(String(describing: s.prompt?.input.text))")
        #expect(FileManager.default.fileExists(atPath: (offered as NSString).deletingLastPathComponent))
        s.perform(s.handle(.ctrl("u")))
        let bad = f.dir.appendingPathComponent("导出.txt").path
        for k in typed(bad) { s.perform(s.handle(k)) }
        s.perform(s.handle(.enter))
        #expect(s.message?.role == .error && s.prompt?.input.text == bad)
        s.perform(s.handle(.ctrl("u")))
        let path = f.dir.appendingPathComponent("导出.csv").path
        for k in typed(path) { s.perform(s.handle(k)) }
        let r = s.handle(.enter)
        #expect(r.contains(.export))
        s.perform(r)
        #expect(s.message?.text.zh.hasPrefix("已导出 2 条") == true, "\(String(describing: s.message))")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("R001") && text.contains("R002") && !text.contains("R004"))
    }

    @Test func quitWithUnsavedWritesWarnsFirst() throws {
        let f = try AppFixture()
        let s = f.session
        // Another connection holds the write lock, as a big import would.
        try f.withWriteLock {
            s.perform(s.handle(.char("3")))
            #expect(s.pending.count == 1)
            #expect(s.message?.role == .error)
            #expect(s.handle(.char("q")) == .redraw)
        }
        // The lock is gone: the next tick saves it.
        #expect(s.tick())
        #expect(s.pending.isEmpty)
        #expect(try f.store.record(id: "R001")?.label == .correct)
        #expect(s.handle(.char("q")) == .quit)
    }

    @Test func anotherReviewersLabelShowsAfterATick() throws {
        let f = try AppFixture()
        let s = f.session
        f.draw(width: 120, height: 40)
        let other = try SQLiteRecordStore(path: f.store.path)
        try other.setLabel(.missingKnowledge, recordId: "R001", reviewer: "王强", at: AppFixture.now)
        #expect(s.tick())
        let screen = f.draw(width: 120, height: 40).dump()
        #expect(screen.contains("∅ 业务缺失"))
        #expect(s.total.count(.missingKnowledge) == 1)
        #expect(!s.tick())
    }
}

@Suite struct TwoReviewersTests {
    /// Two reviewers label, correct, review and undo in turns; after each turn and tick both
    /// sessions' figures must equal `recount`.
    static func takeTurns(_ a: ReviewSession, _ b: ReviewSession, recount: () throws -> Tally,
                          sourceLocation: SourceLocation = #_sourceLocation) throws {
        let script: [(ReviewSession, [Key])] = [
            (a, typed("3")), (b, typed("12")), (a, typed("4")), (b, [.char("u")]),
            (b, [.char("b")] + typed("闲聊") + [.enter]), (a, typed("jr")), (b, [.char("u")]), (a, typed("uu")),
        ]
        for (who, keys) in script {
            for k in keys { who.perform(who.handle(k)) }
            _ = a.tick()
            _ = b.tick()
            #expect(a.total == (try recount()), sourceLocation: sourceLocation)
            #expect(b.total == (try recount()), sourceLocation: sourceLocation)
        }
    }

    /// Two sessions (as two processes would) label, correct, review and undo in turns; after each
    /// tick both sessions' figures equal a full recount, though neither counted again.
    @Test func figuresFollowTheOtherReviewerByTheHistory() throws {
        let f = try AppFixture()
        let a = f.session
        let otherStore = try SQLiteRecordStore(path: f.store.path, busyTimeout: 0.2)
        let b = try ReviewSession(store: otherStore, reference: .bundled, reviewer: "王强", clock: { AppFixture.now })
        try AppFixture.wholeList(b)
        func recount() throws -> Tally { try f.store.tallies(a.statsFilter, rules: a.rules).total }
        let counted = (a.fullCounts, b.fullCounts)
        try Self.takeTurns(a, b, recount: recount)
        #expect(a.fullCounts == counted.0 && b.fullCounts == counted.1)
        // An import (new records) falls back to a full count.
        try otherStore.importBatch { sink in
            _ = try sink.insert(InteractionRecord(id: "R009", askedAt: AppFixture.now - 60, org: "如皋市", question: "新问题",
                                                  answer: "新回答", knowledgeId: "KB1", label: .correct))
        }
        #expect(a.tick())
        #expect(a.total == (try recount()) && a.total.records == 9)
        #expect(a.newSinceQuery == 1)
    }
}

extension AppFixture {
    /// Runs `body` while another connection holds SQLite's write lock.
    func withWriteLock(_ body: () throws -> Void) throws {
        let holder = try SQLiteRecordStore(path: store.path)
        try holder.dbQueue.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            try body()
        }
    }
}

@Suite struct ReviewAppLoopTests {
    /// The loop itself, on a recording terminal: every key redraws, a label is on disk before the
    /// frame that shows it, and q ends the loop.
    @Test func theLoopDrawsPersistsAndQuits() throws {
        let f = try AppFixture()
        let backend = RecordingBackend(width: 80, height: 24, keys: [.char("3"), .resize, .char("q"), .char("1")])
        ReviewApp(session: f.session, backend: backend).run(stopWhenIdle: true)
        #expect(backend.frames.count == 3)  // the first frame, after 3, after the resize; q ends it
        #expect(backend.frames[1].dump().contains("已保存：✓ 回答正确"))
        #expect(try f.store.record(id: "R001")?.label == .correct)
        #expect(try f.store.record(id: "R002")?.label == nil)  // the 1 after q was never read
        #expect(backend.keys == [.char("1")])
    }
}

@Suite struct BackgroundStatisticsTests {
    /// The app counts on another connection; labels made while it counts, and other reviewers'
    /// labels, are caught up from the history once the count is installed.
    @Test func figuresCountedElsewhereCatchUpWithLabelsMadeMeanwhile() throws {
        let f = try AppFixture()
        let s = try ReviewSession(store: f.store, reference: .bundled, reviewer: "张敏", backgroundStatistics: true,
                                  clock: { AppFixture.now })
        #expect(s.statisticsPending)
        s.list.setTodo(false, hasAssignment: false)  // the whole list (as T shows it)
        try s.list.refilter(s)
        s.list.releaseLeases()
        s.perform(s.handle(.char("3")))
        let other = try SQLiteRecordStore(path: f.store.path)
        try other.setLabel(.missingKnowledge, recordId: "R003", reviewer: "王强", at: AppFixture.now)
        var waited = 0
        while s.statisticsPending, waited < 500 { _ = s.tick(); usleep(10_000); waited += 1 }
        #expect(!s.statisticsPending)
        _ = s.tick()
        let recount = try f.store.tallies(s.statsFilter, rules: s.rules).total
        #expect(s.total == recount)
        #expect(s.total.count(.correct) == 2 && s.total.count(.missingKnowledge) == 1)
        // A text search runs in the background (keys stay live); its list and figures follow.
        s.perform(s.handle(.char("/")))
        for k in typed("养老") { s.perform(s.handle(k)) }
        s.perform(s.handle(.enter))
        #expect(s.list.searching?.text == "养老" && s.statisticsPending)
        waited = 0
        while s.statisticsPending, waited < 500 { _ = s.tick(); usleep(10_000); waited += 1 }
        #expect(s.keys.count == 2 && s.list.searching == nil)
        #expect(s.total == (try f.store.tallies(s.statsFilter, rules: s.rules).total))
    }
}

/// Issue 16, point 11: periods as people say them, organisations without a Chinese input method,
/// and the last filter back after a restart.
@Suite struct FilterWordsTests {
    static let today = ShanghaiTime.parse("2025-12-03 10:00:00")!  // a Wednesday

    func read(period: String = "", orgs: String = "") -> (RecordFilter, PeriodPreset?, [FilterForm.Field: FilterForm.Reading]) {
        var form = FilterForm(filter: RecordFilter(), preset: nil, lang: .zh)
        form.texts[.period] = TextInput(period)
        form.texts[.orgs] = TextInput(orgs)
        return form.parse(reference: .bundled, today: Self.today, lang: .zh)
    }

    func days(_ text: String) -> String? {
        let (f, _, _) = read(period: text)
        guard let lo = f.fromDay, let hi = f.toDay else { return nil }
        return ShanghaiTime.formatDate(lo) + "~" + ShanghaiTime.formatDate(hi)
    }

    @Test func periodWordsAndShortDates() {
        #expect(days("今天") == "2025-12-03~2025-12-03" && days("昨天") == "2025-12-02~2025-12-02")
        #expect(days("本周") == "2025-12-01~2025-12-03" && days("上周") == "2025-11-24~2025-11-30")
        #expect(days("this week") == "2025-12-01~2025-12-03" && days("last week") == "2025-11-24~2025-11-30")
        #expect(days("本月") == "2025-12-01~2025-12-03" && days("上月") == "2025-11-01~2025-11-30")
        #expect(days("近7天") == "2025-11-27~2025-12-03" && days("近30天") == "2025-11-04~2025-12-03")
        #expect(days("11-23~11-29") == "2025-11-23~2025-11-29" && days("11月23日~11月29日") == "2025-11-23~2025-11-29")
        // A short date still to come this year is last year's.
        #expect(days("12-20~12-31") == "2024-12-20~2024-12-31" && days("2/30") == nil)
    }

    @Test func organisationsByPinyinAndInitials() {
        #expect(read(orgs: "rugao").0.orgs == ["如皋市"] && read(orgs: "rg").0.orgs == ["如皋市"])
        #expect(read(orgs: "hm, qd").0.orgs == ["海门区", "启东市"] && read(orgs: "RUDONG").0.orgs == ["如东县"])
        // Pinyin as far as typed: ru is two counties, and says so.
        let (f, _, readings) = read(orgs: "ru")
        guard case .problem(let why)? = readings[.orgs] else { Issue.record("ru read as \(f.orgs)"); return }
        #expect(why.zh.contains("如皋市") && why.zh.contains("如东县"))
    }

    @Test func theLastFilterComesBackAfterARestart() throws {
        let f = try AppFixture()
        let memory = FilterMemory(location: "fixture.sqlite", reviewer: "张敏", directory: f.dir)
        f.session.remember(memory)
        f.press([.char("f")] + typed("如皋") + [.tab, .right, .right] + [.enter])
        #expect(f.session.filter.orgs == ["如皋市"] && f.session.periodPreset == .last7)
        let again = try ReviewSession(store: f.store, reference: .bundled, reviewer: "张敏", lang: .zh, location: "fixture.sqlite",
                                      clock: { AppFixture.now })
        again.remember(memory)
        #expect(again.filter.orgs == ["如皋市"] && again.periodPreset == .last7 && again.message?.text.zh.contains("已恢复") == true)
        // Another reviewer on the same database starts from everything.
        let other = try ReviewSession(store: f.store, reference: .bundled, reviewer: "王强", lang: .zh, location: "fixture.sqlite",
                                      clock: { AppFixture.now })
        other.remember(FilterMemory(location: "fixture.sqlite", reviewer: "王强", directory: f.dir))
        #expect(other.list.rememberedFilter == RecordFilter() && other.list.todo)
        #expect(other.filter == RecordFilter(status: .unlabeled))
    }
}

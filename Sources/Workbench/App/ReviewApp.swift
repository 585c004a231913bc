import Foundation
import Model

/// The main loop: draw, wait for a key (or a quarter second), let the session react, and on idle
/// ticks retry queued writes and pick up other reviewers' changes.
final class ReviewApp {
    let session: ReviewSession
    let backend: any TerminalBackend
    /// How long to wait for a key before a tick: other processes' labels show within a second.
    static let tickMilliseconds = 250

    init(session: ReviewSession, backend: any TerminalBackend) {
        self.session = session
        self.backend = backend
        session.ctx.onProgress = { [unowned self] in self.backend.present(self.frame()) }
    }

    func frame() -> Canvas {
        let (w, h) = backend.size
        ReviewScreen.prepare(session, width: w, height: h)
        return ReviewScreen.draw(session, width: w, height: h)
    }

    /// Runs until the user quits (or, with a recording backend, the script ends).
    func run(stopWhenIdle: Bool = false) {
        backend.present(frame())
        while true {
            // While a search runs, ticks come sooner so its list shows as soon as it is ready.
            let wait = session.list.searching != nil ? 20 : Self.tickMilliseconds
            guard let key = backend.nextKey(timeoutMilliseconds: wait) else {
                if stopWhenIdle { return }
                if session.tick() { backend.present(frame()) }
                continue
            }
            let reaction = session.handle(key)
            if reaction.contains(.quit) { return }
            if reaction.contains(.external) { backend.suspend { session.runPendingEdit() } }
            session.perform(reaction)
            if !reaction.isEmpty || key == .resize { backend.present(frame()) }
        }
    }
}

import Model

/// The business-type picker over the list: type to narrow, arrows to move, Enter corrects the
/// record's type (queued like a label).
final class PickerOverlay: Screen {
    var picker: BusinessTypePicker

    init(_ picker: BusinessTypePicker) { self.picker = picker }

    var mode: Mode { .picker }
    var isOverlay: Bool { true }

    func type(_ character: Character, _ session: ReviewSession) -> Reaction? {
        guard picker.query.type(character) else { return [] }
        picker.selected = 0
        return .redraw
    }

    func handle(_ command: Command, _ session: ReviewSession) -> Reaction? {
        let count = picker.matches.count
        var cursor = ListCursor(selected: picker.selected)
        if cursor.move(command, count: count, step: 10) {
            picker.selected = cursor.selected
            return .redraw
        }
        switch command {
        case .deleteBackward, .clearInput:
            if picker.query.edit(command) { picker.selected = 0 }
            return .redraw
        case .cancel:
            session.pop()
            return .redraw
        case .accept:
            picker.clamp()
            let options = picker.matches
            session.pop()
            guard options.indices.contains(picker.selected) else { return .redraw }
            let o = options[picker.selected]
            let ctx = session.ctx
            ctx.writes.queue(picker.key, picker.recordId, .businessType(BusinessType(o.level1, o.level2)), at: ctx.clock())
            return [.persist, .redraw]
        default:
            return []
        }
    }
}
